import "server-only";
import { cache } from "react";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { eq } from "drizzle-orm";
import { db } from "@/db";
import { users } from "@/db/schema";
import { auth } from "@/lib/auth";
import { PROXY_IDENTITY_HEADER, proxyIdentity } from "@/lib/auth/proxy-identity";
import { membershipOf, type Session } from "@/lib/actions/safe-action";
import { orNotFound } from "@/lib/not-found";

/**
 * The caller as the action wrapper sees it. Dashboard pages and their actions take the session
 * the proxy verified for this very request; elsewhere (sign-in, invitations, API routes) Auth.js
 * reads the cookie.
 */
export async function currentSession(): Promise<Session> {
  const verifiedByProxy = proxyIdentity((await headers()).get(PROXY_IDENTITY_HEADER));
  if (verifiedByProxy) return { userId: verifiedByProxy };
  const session = await auth();
  return session?.user?.id ? { userId: session.user.id } : null;
}

/** The signed-in user, or null: for pages anyone may see (an invitation link). */
export const currentUser = cache(async () => {
  const session = await currentSession();
  if (!session) return null;
  const [user] = await db()
    .select({ id: users.id, email: users.email, name: users.name })
    .from(users)
    .where(eq(users.id, session.userId));
  return user ?? null;
});

/** The signed-in user for a page; signed-out visitors go to sign-in. */
export const requireUser = cache(async () => {
  const user = await currentUser();
  if (!user) redirect("/sign-in");
  return user;
});

/** The signed-in user's membership of the team in the URL; a team they are not in is a 404. */
export const requireTeam = cache(async (teamSlug: string) => {
  const user = await requireUser();
  const { team, role } = await orNotFound(membershipOf(user.id, teamSlug));
  return { user, team, role };
});
