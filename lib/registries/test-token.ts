import "server-only";
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import type { TestOutcome } from "@/db/schema";
import { env } from "@/lib/env";
import type { Credentials, RegistryType } from "./catalog";

/*
 * A Test Connection run in the Add form becomes the new registry's last test when exactly the
 * tested credentials are saved. The server issues the result signed and bound to the team, the
 * user, the type and a digest of the credentials; at save it recomputes the binding from what is
 * being saved, so a client can neither invent a result nor carry one over to other credentials.
 * The credentials themselves are not in the token (only their digest is under the MAC).
 */

export const TEST_TOKEN_TTL_MS = 30 * 60_000;

export type TestBinding = { teamId: string; userId: string; type: RegistryType; credentials: Credentials };
export type KeptTest = { at: Date; outcome: TestOutcome };

/** Key order does not change what was tested. */
function credentialsDigest(credentials: Credentials): string {
  const canonical = JSON.stringify(Object.keys(credentials).sort().map((k) => [k, credentials[k]]));
  return createHash("sha256").update(canonical).digest("base64url");
}

function signature(binding: TestBinding, payload: string): Buffer {
  const bound = JSON.stringify(["registry-test/v1", binding.teamId, binding.userId, binding.type, credentialsDigest(binding.credentials), payload]);
  return createHmac("sha256", `dockyard registry test result\0${env().authSecret}`).update(bound).digest();
}

export function issueTestToken(binding: TestBinding, outcome: TestOutcome, at = new Date()): string {
  const payload = Buffer.from(JSON.stringify({ at: at.toISOString(), outcome })).toString("base64url");
  return `${payload}.${signature(binding, payload).toString("base64url")}`;
}

/** The test a token records for exactly these credentials, or undefined (forged, expired, other credentials or someone else's). */
export function keptTest(token: string | undefined, binding: TestBinding, now = Date.now()): KeptTest | undefined {
  if (!token) return undefined;
  const [payload, mac, extra] = token.split(".");
  if (!payload || !mac || extra !== undefined) return undefined;
  const expected = signature(binding, payload);
  const given = Buffer.from(mac, "base64url");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  const { at, outcome } = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as { at: string; outcome: TestOutcome };
  const when = new Date(at);
  const age = now - when.getTime();
  // A minute of clock difference between two dashboard instances is not a forgery.
  if (!(age >= -60_000 && age <= TEST_TOKEN_TTL_MS)) return undefined;
  return { at: when, outcome };
}
