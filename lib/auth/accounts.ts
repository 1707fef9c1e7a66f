import "server-only";
import { and, eq, gte, sql } from "drizzle-orm";
import { db } from "@/db";
import { signInFailures, users } from "@/db/schema";
import { isUniqueViolation } from "@/db/errors";
import { newId } from "@/lib/ids";
import { SafeError, fieldError } from "@/lib/errors";
import { logger } from "@/lib/logger";
import { insertTeamWithOwner } from "@/lib/teams/service";
import { hashPassword, verifyAgainstDummy, verifyPassword } from "./password";
import { signInSchema, signUpSchema, type SignUpInput } from "./schemas";

export const SIGN_IN_LIMIT = { failures: 10, windowMinutes: 15 } as const;

/** Creates the user, their personal team and the owner membership in one transaction. */
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
      logger.info({ userId: user!.id, teamId: team.id }, "user signed up");
      return { user: user!, team };
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw fieldError("email", "An account with this e-mail already exists. Sign in instead.");
    throw err;
  }
}

export class SignInRateLimited extends SafeError {
  constructor() {
    super("rate_limited", `Too many failed sign-ins for this e-mail. Try again in ${SIGN_IN_LIMIT.windowMinutes} minutes.`);
  }
}

async function recentFailures(email: string): Promise<number> {
  const since = new Date(Date.now() - SIGN_IN_LIMIT.windowMinutes * 60_000);
  const [row] = await db()
    .select({ n: sql<number>`count(*)::int` })
    .from(signInFailures)
    .where(and(eq(signInFailures.email, email), gte(signInFailures.at, since)));
  return row?.n ?? 0;
}

/**
 * The user for a correct e-mail + password, or null. After SIGN_IN_LIMIT.failures failures
 * for one e-mail inside the window, refuses (even a correct password) until the window passes.
 */
export async function verifyCredentials(raw: unknown): Promise<{ id: string; email: string; name: string } | null> {
  const parsed = signInSchema.safeParse(raw);
  if (!parsed.success) return null;
  const { email, password } = parsed.data;
  if ((await recentFailures(email)) >= SIGN_IN_LIMIT.failures) {
    logger.warn({ email }, "sign-in refused: too many failures");
    throw new SignInRateLimited();
  }
  const [user] = await db().select().from(users).where(eq(users.email, email));
  const ok = user ? await verifyPassword(user.passwordHash, password) : await verifyAgainstDummy(password);
  if (!user || !ok) {
    await db().insert(signInFailures).values({ email });
    logger.info({ email }, "sign-in failed");
    return null;
  }
  await db().delete(signInFailures).where(eq(signInFailures.email, email));
  return { id: user.id, email: user.email, name: user.name };
}
