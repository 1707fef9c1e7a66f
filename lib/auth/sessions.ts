import "server-only";
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { eq, lt, sql } from "drizzle-orm";
import { db, preparedQuery } from "@/db";
import { revokedSessions, users } from "@/db/schema";
import { env } from "@/lib/env";

/** How long a session token lives without being used; a use re-issues it once it is older than a day. */
export const SESSION_MAX_AGE_SECONDS = 30 * 24 * 60 * 60;

/** Re-issuing the cookie on every response costs an encryption each time; once a day keeps the 30 days sliding. */
export const SESSION_UPDATE_AGE_SECONDS = 24 * 60 * 60;

/** The id a new session's token carries, so that this one session can be revoked. */
export function newSessionId(): string {
  return randomBytes(16).toString("base64url");
}

const sessionState = preparedQuery((db) =>
  db
    .select({
      generation: users.sessionGeneration,
      revoked: sql<boolean>`exists (select 1 from ${revokedSessions} where ${revokedSessions.sessionId} = ${sql.placeholder("sid")})`,
    })
    .from(users)
    .where(eq(users.id, sql.placeholder("uid")))
    .prepare("session_state"),
);

/** Whether a token's session may still be used: not signed out, and not older than the user's last "sign out everywhere" or password change. One query. */
export async function isSessionCurrent(claims: { uid: string; sid: string; gen: number }): Promise<boolean> {
  const [row] = await sessionState().execute({ uid: claims.uid, sid: claims.sid });
  return row !== undefined && !row.revoked && row.generation === claims.gen;
}

/**
 * Refuses this session from now on. Kept for the longest a copy of its token can live (any
 * copy may have been re-issued just now); expired entries are swept on the way.
 */
export async function revokeSession(sessionId: string): Promise<void> {
  await db()
    .insert(revokedSessions)
    .values({ sessionId, expiresAt: new Date(Date.now() + SESSION_MAX_AGE_SECONDS * 1000) })
    .onConflictDoNothing();
  await db().delete(revokedSessions).where(lt(revokedSessions.expiresAt, new Date()));
}

/** Every session of the user issued before now is refused; returns the new generation. */
export async function bumpSessionGeneration(userId: string): Promise<number> {
  const [row] = await db()
    .update(users)
    .set({ sessionGeneration: sql`${users.sessionGeneration} + 1` })
    .where(eq(users.id, userId))
    .returning({ generation: users.sessionGeneration });
  if (!row) throw new Error("bumpSessionGeneration: no such user");
  return row.generation;
}

/*
 * A password change keeps the session that made it: the action re-issues that session's token
 * with the new generation through Auth.js's update, whose data a browser can also send
 * (POST /api/auth/session). The grant is signed, so only the server can raise a generation.
 */
const GRANT_TTL_MS = 60_000;

function grantSignature(payload: string): Buffer {
  return createHmac("sha256", `dockyard session generation grant\0${env().authSecret}`).update(payload).digest();
}

/** Lets a token of `userId` move to `generation` within the next minute. */
export function generationGrant(userId: string, generation: number): string {
  const payload = `${userId}.${generation}.${Date.now() + GRANT_TTL_MS}`;
  return `${payload}.${grantSignature(payload).toString("base64url")}`;
}

/** The generation a grant allows for `userId`, or undefined for anything forged, expired or someone else's. */
export function grantedGeneration(grant: unknown, userId: string): number | undefined {
  if (typeof grant !== "string") return undefined;
  const parts = grant.split(".");
  if (parts.length !== 4) return undefined;
  const [uid, generation, expiresAt, signature] = parts as [string, string, string, string];
  const expected = grantSignature(`${uid}.${generation}.${expiresAt}`);
  const given = Buffer.from(signature, "base64url");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  if (uid !== userId || Number(expiresAt) < Date.now()) return undefined;
  return Number(generation);
}
