import "server-only";
import { createHmac, timingSafeEqual } from "node:crypto";
import { env } from "@/lib/env";

/**
 * The proxy verifies the session cookie of a dashboard page (decrypting the token and asking the
 * database whether the session is current) and hands the user id to the page in this request
 * header, so the page does not decode the token a second time. The proxy removes any copy a client
 * sent; the signature covers a request that reaches the app without the proxy, and the short
 * lifetime a header seen in a log.
 */
export const PROXY_IDENTITY_HEADER = "x-dockyard-verified-user";

const IDENTITY_TTL_MS = 60_000;

function identitySignature(payload: string): Buffer {
  return createHmac("sha256", `dockyard proxy identity\0${env().authSecret}`).update(payload).digest();
}

/** The header value saying the proxy verified `userId`'s session for this request. */
export function signProxyIdentity(userId: string): string {
  const payload = `${userId}.${Date.now() + IDENTITY_TTL_MS}`;
  return `${payload}.${identitySignature(payload).toString("base64url")}`;
}

/** The user id the proxy verified, or undefined for a missing, forged or expired header. */
export function proxyIdentity(header: string | null): string | undefined {
  const match = header?.match(/^(.+)\.(\d+)\.([\w-]+)$/);
  if (!match) return undefined;
  const [, userId, expiresAt, signature] = match as unknown as [string, string, string, string];
  const expected = identitySignature(`${userId}.${expiresAt}`);
  const given = Buffer.from(signature, "base64url");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  return Number(expiresAt) >= Date.now() ? userId : undefined;
}
