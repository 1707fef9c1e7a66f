import "server-only";
import { and, eq, sql } from "drizzle-orm";
import { db } from "@/db";
import { users } from "@/db/schema";
import { isUniqueViolation } from "@/db/errors";
import { newId } from "@/lib/ids";
import { SafeError, fieldError } from "@/lib/errors";
import { logger } from "@/lib/logger";
import { insertTeamWithOwner } from "@/lib/teams/service";
import { acceptInvitationIn } from "@/lib/teams/invitations";
import { hashPassword, verifyAgainstDummy, verifyPassword } from "./password";
import { signInSchema, signUpSchema, type ChangePasswordInput, type SignUpInput } from "./schemas";
import { SignInRateLimited, settleSuccessfulSignIn, takeSignInAttempt, throttleKeys } from "./throttle";

/**
 * Creates the user, their personal team and the owner membership in one transaction; signing up
 * from an invitation link accepts it in the same one (an invitation for another e-mail, or one no
 * longer valid, creates no account, and says so).
 */
export async function signUp(raw: SignUpInput) {
  const input = signUpSchema.parse(raw);
  const passwordHash = await hashPassword(input.password);
  try {
    return await db().transaction(async (tx) => {
      const [existing] = await tx.select({ id: users.id }).from(users).where(eq(users.email, input.email));
      if (existing) throw fieldError("email", "An account with this e-mail already exists. Sign in instead.");
      const [user] = await tx
        .insert(users)
        .values({ id: newId("usr"), email: input.email, name: input.name, passwordHash })
        .returning({ id: users.id, email: users.email, name: users.name });
      const team = await insertTeamWithOwner(tx, { name: `${input.name}'s team`, ownerId: user!.id, personal: true });
      const joined = input.invite ? await acceptInvitationIn(tx, input.invite, user!).catch(onEmailField) : undefined;
      logger.info({ userId: user!.id, teamId: team.id, joined: joined?.teamSlug }, "user signed up");
      return { user: user!, team, joined };
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw fieldError("email", "An account with this e-mail already exists. Sign in instead.");
    throw err;
  }
}

/** An invitation for another address is about the e-mail typed: said on that field. */
function onEmailField(err: unknown): never {
  if (err instanceof SafeError && err.code === "forbidden") throw fieldError("email", err.message);
  throw err;
}

/**
 * The user for a correct e-mail + password from `client`, or null. Throttled before the
 * password is checked (see SIGN_IN_LIMITS), so a refused attempt costs no hashing either.
 */
export async function verifyCredentials(
  raw: unknown,
  client: string,
): Promise<{ id: string; email: string; name: string; sessionGeneration: number } | null> {
  const parsed = signInSchema.safeParse(raw);
  if (!parsed.success) return null;
  const { email, password } = parsed.data;
  const keys = throttleKeys(email, client);
  try {
    await takeSignInAttempt(keys);
  } catch (err) {
    if (err instanceof SignInRateLimited) logger.warn({ email, client }, "sign-in refused: too many attempts");
    throw err;
  }
  const [user] = await db().select().from(users).where(eq(users.email, email));
  const ok = user ? await verifyPassword(user.passwordHash, password) : await verifyAgainstDummy(password);
  if (!user || !ok) {
    logger.info({ email, client }, "sign-in failed");
    return null;
  }
  await settleSuccessfulSignIn(keys);
  return { id: user.id, email: user.email, name: user.name, sessionGeneration: user.sessionGeneration };
}

/**
 * Sets a new password after checking the current one (throttled like a sign-in, so a stolen
 * session cannot guess it) and moves the user to a new session generation: every session
 * issued before is refused. Returns that generation.
 */
export async function changePassword(userId: string, input: ChangePasswordInput, client: string): Promise<number> {
  const [user] = await db().select().from(users).where(eq(users.id, userId));
  if (!user) throw new SafeError("unauthenticated", "Please sign in again");
  const keys = throttleKeys(user.email, client);
  await takeSignInAttempt(keys);
  if (!(await verifyPassword(user.passwordHash, input.currentPassword))) {
    logger.info({ userId, client }, "password change refused: wrong current password");
    throw fieldError("currentPassword", "This is not your current password");
  }
  await settleSuccessfulSignIn(keys);
  const passwordHash = await hashPassword(input.newPassword);
  // Only over the hash just checked: a change racing this one is not silently overwritten.
  const [changed] = await db()
    .update(users)
    .set({ passwordHash, sessionGeneration: sql`${users.sessionGeneration} + 1` })
    .where(and(eq(users.id, userId), eq(users.passwordHash, user.passwordHash)))
    .returning({ generation: users.sessionGeneration });
  if (!changed) throw new SafeError("conflict", "Your password was changed meanwhile. Reload the page and try again.");
  logger.info({ userId }, "password changed; other sessions revoked");
  return changed.generation;
}
