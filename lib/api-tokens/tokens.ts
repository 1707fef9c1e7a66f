import "server-only";
import { createHash, randomBytes } from "node:crypto";
import { and, desc, eq, isNull, sql } from "drizzle-orm";
import { db } from "@/db";
import { apiTokens, teams, type TeamRole } from "@/db/schema";
import { notFound } from "@/lib/errors";
import { newId } from "@/lib/ids";
import type { Session } from "@/lib/actions/safe-action";

/** Recognisable in a leaked log or a secret scanner's rules; the rest is 256 random bits. */
export const TOKEN_PREFIX = "dky_";
const TOKEN_SHAPE = /^dky_[A-Za-z0-9_-]{43}$/;

/** Requests per token per window; the window is counted on the database's clock. */
export const RATE_LIMIT = { requests: 120, windowSeconds: 60 };

export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

export type CreatedToken = { tokenId: string; token: string; prefix: string; expiresAt: Date };

/** Creates a token and returns it, the only time it exists outside the caller's hands. */
export async function createToken(opts: { userId: string; teamId: string; name: string; role: TeamRole; expiresInDays: number }): Promise<CreatedToken> {
  const token = TOKEN_PREFIX + randomBytes(32).toString("base64url");
  const tokenId = newId("tok");
  const prefix = token.slice(0, TOKEN_PREFIX.length + 4);
  const expiresAt = new Date(Date.now() + opts.expiresInDays * 86_400_000);
  await db().insert(apiTokens).values({ id: tokenId, userId: opts.userId, teamId: opts.teamId, name: opts.name, role: opts.role, tokenHash: hashToken(token), prefix, expiresAt });
  return { tokenId, token, prefix, expiresAt };
}

/** A person's tokens, newest first, with the team each acts in; never the hash. */
export function listTokens(userId: string) {
  return db()
    .select({
      id: apiTokens.id,
      name: apiTokens.name,
      prefix: apiTokens.prefix,
      role: apiTokens.role,
      team: { slug: teams.slug, name: teams.name },
      createdAt: apiTokens.createdAt,
      expiresAt: apiTokens.expiresAt,
      lastUsedAt: apiTokens.lastUsedAt,
      revokedAt: apiTokens.revokedAt,
    })
    .from(apiTokens)
    .innerJoin(teams, eq(teams.id, apiTokens.teamId))
    .where(eq(apiTokens.userId, userId))
    .orderBy(desc(apiTokens.createdAt));
}
export type TokenListItem = Awaited<ReturnType<typeof listTokens>>[number];

/** Revokes one of the caller's own tokens; someone else's is "not found". */
export async function revokeToken(userId: string, tokenId: string) {
  const revoked = await db()
    .update(apiTokens)
    .set({ revokedAt: new Date() })
    .where(and(eq(apiTokens.id, tokenId), eq(apiTokens.userId, userId), isNull(apiTokens.revokedAt)))
    .returning({ id: apiTokens.id });
  if (revoked.length === 0) throw notFound("Token");
  return { tokenId };
}

export type TokenCaller = {
  session: NonNullable<Session>;
  token: { id: string; name: string; role: TeamRole; teamSlug: string; expiresAt: Date };
  /** Set when this request is over the token's limit: seconds until its window ends. */
  retryAfter?: number;
};
export type TokenRefusal = { refused: string };

/**
 * The caller a bearer token stands for. One UPDATE finds a live token by its hash, records the
 * use and counts the request in the token's window, so parallel requests are counted exactly.
 */
export async function authenticateToken(token: string): Promise<TokenCaller | TokenRefusal> {
  if (!TOKEN_SHAPE.test(token)) return { refused: "The token is not a Dockyard API token" };
  const tokenHash = hashToken(token);
  const windowOver = sql`${apiTokens.windowStart} <= now() - make_interval(secs => ${RATE_LIMIT.windowSeconds})`;
  const [row] = await db()
    .update(apiTokens)
    .set({
      lastUsedAt: sql`now()`,
      windowStart: sql`case when ${windowOver} then now() else ${apiTokens.windowStart} end`,
      windowRequests: sql`case when ${windowOver} then 1 else ${apiTokens.windowRequests} + 1 end`,
    })
    .where(and(eq(apiTokens.tokenHash, tokenHash), isNull(apiTokens.revokedAt), sql`${apiTokens.expiresAt} > now()`))
    .returning({
      id: apiTokens.id,
      userId: apiTokens.userId,
      teamId: apiTokens.teamId,
      name: apiTokens.name,
      role: apiTokens.role,
      expiresAt: apiTokens.expiresAt,
      requests: apiTokens.windowRequests,
      retryAfter: sql<number>`ceil(extract(epoch from ${apiTokens.windowStart} + make_interval(secs => ${RATE_LIMIT.windowSeconds}) - now()))::int`,
      teamSlug: sql<string>`(select ${teams.slug} from ${teams} where ${teams.id} = ${apiTokens.teamId})`,
    });
  if (!row) return { refused: await whyRefused(tokenHash) };
  return {
    session: { userId: row.userId, scope: { teamId: row.teamId, role: row.role } },
    token: { id: row.id, name: row.name, role: row.role, teamSlug: row.teamSlug, expiresAt: row.expiresAt },
    ...(row.requests > RATE_LIMIT.requests ? { retryAfter: Math.max(1, row.retryAfter) } : {}),
  };
}

/** Only someone holding a real token learns that it expired or was revoked; anything else is "not valid". */
async function whyRefused(tokenHash: string): Promise<string> {
  const [row] = await db().select({ revokedAt: apiTokens.revokedAt }).from(apiTokens).where(eq(apiTokens.tokenHash, tokenHash));
  if (!row) return "The token is not valid";
  return row.revokedAt ? "The token was revoked" : "The token has expired";
}
