import "server-only";
import { eq, inArray, sql } from "drizzle-orm";
import { db } from "@/db";
import { signInThrottle } from "@/db/schema";
import { SafeError } from "@/lib/errors";

/**
 * Password checks allowed per fixed window. Per e-mail and client: someone else's guesses from
 * another address never lock the owner out. Per client: one address cannot spray many e-mails.
 * A correct password frees its attempt, so the client limit counts failures (shared NATs and
 * benchmarks sign in freely).
 */
export const SIGN_IN_LIMITS = { perEmailAndClient: 10, perClient: 50, windowMinutes: 15 } as const;

export class SignInRateLimited extends SafeError {
  constructor() {
    super("rate_limited", `Too many failed sign-ins. Try again in ${SIGN_IN_LIMITS.windowMinutes} minutes.`);
  }
}

export type ThrottleKeys = { client: string; emailAndClient: string };

export function throttleKeys(email: string, client: string): ThrottleKeys {
  return { client: `client:${client}`, emailAndClient: `email:${email}|${client}` };
}

const windowExpired = sql`${signInThrottle.windowStart} <= now() - make_interval(mins => ${SIGN_IN_LIMITS.windowMinutes}::int)`;

/**
 * Counts one attempt on both keys in one upsert, before the password is checked, and throws
 * when either is over its limit. The row lock of the upsert orders parallel attempts: of 40 at
 * once, exactly the limit get through.
 */
export async function takeSignInAttempt(keys: ThrottleKeys): Promise<void> {
  const counted = await db()
    .insert(signInThrottle)
    .values([
      { key: keys.client, attempts: 1 },
      { key: keys.emailAndClient, attempts: 1 },
    ])
    .onConflictDoUpdate({
      target: signInThrottle.key,
      set: {
        attempts: sql`case when ${windowExpired} then 1 else ${signInThrottle.attempts} + 1 end`,
        windowStart: sql`case when ${windowExpired} then now() else ${signInThrottle.windowStart} end`,
      },
    })
    .returning({ key: signInThrottle.key, attempts: signInThrottle.attempts });
  const attemptsOf = (key: string) => counted.find((row) => row.key === key)?.attempts ?? 0;
  if (attemptsOf(keys.client) > SIGN_IN_LIMITS.perClient || attemptsOf(keys.emailAndClient) > SIGN_IN_LIMITS.perEmailAndClient) {
    throw new SignInRateLimited();
  }
}

/**
 * After a correct password: the e-mail's count for this client starts again and the client gets
 * its attempt back. One row per statement, so no lock is held while another is awaited (the
 * upsert above locks client then e-mail). Rows of passed windows are swept while we are here,
 * skipping any a sign-in is counting right now.
 */
export async function settleSuccessfulSignIn(keys: ThrottleKeys): Promise<void> {
  await db().delete(signInThrottle).where(eq(signInThrottle.key, keys.emailAndClient));
  await db()
    .update(signInThrottle)
    .set({ attempts: sql`greatest(${signInThrottle.attempts} - 1, 0)` })
    .where(eq(signInThrottle.key, keys.client));
  const expired = db().select({ key: signInThrottle.key }).from(signInThrottle).where(windowExpired).for("update", { skipLocked: true });
  await db().delete(signInThrottle).where(inArray(signInThrottle.key, expired));
}
