import "server-only";
import { and, count, eq, gt, sql } from "drizzle-orm";
import { db } from "@/db";
import { liveChecks } from "@/db/schema";
import { SafeError } from "@/lib/errors";

/**
 * Checks that connect to an address a user typed (a registry's live check and pull probe, an
 * environment's connection before it is saved) are limited per user: the server is not a tool
 * for reaching other hosts at will.
 */
export const LIVE_CHECKS_PER_MINUTE = 10;

/**
 * At most LIVE_CHECKS_PER_MINUTE per user, counted in the database so every instance agrees; a
 * per-user transaction lock makes the count and the insert one step, so parallel calls cannot
 * all slip under the limit.
 */
export async function takeLiveCheck(userId: string) {
  await db().transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`live-check:${userId}`}))`);
    const since = new Date(Date.now() - 60_000);
    const [recent] = await tx
      .select({ n: count(), oldest: sql<Date | string>`min(${liveChecks.at})` })
      .from(liveChecks)
      .where(and(eq(liveChecks.userId, userId), gt(liveChecks.at, since)));
    if (Number(recent?.n ?? 0) >= LIVE_CHECKS_PER_MINUTE) {
      const oldest = recent?.oldest ? new Date(recent.oldest).getTime() : Date.now();
      const wait = Math.max(1, Math.ceil((oldest + 60_000 - Date.now()) / 1000));
      throw new SafeError("rate_limited", `At most ${LIVE_CHECKS_PER_MINUTE} live checks a minute: try again in ${wait} s`);
    }
    await tx.insert(liveChecks).values({ userId });
  });
}
