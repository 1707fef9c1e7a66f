import { randomBytes } from "node:crypto";
import { signUp } from "@/lib/auth/accounts";
import type { Session } from "@/lib/actions/safe-action";

export const PASSWORD = "correct horse battery";

/** A fresh user with their personal team, unique per call so test files never collide. */
export async function newUser(label = "user") {
  const tag = randomBytes(5).toString("hex");
  const { user, team } = await signUp({ name: `${label} ${tag}`, email: `${label}-${tag}@example.test`, password: PASSWORD });
  const session: Session = { userId: user.id };
  return { user, team, session };
}
