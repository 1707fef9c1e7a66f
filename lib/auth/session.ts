import "server-only";
import { cache } from "react";
import { headers } from "next/headers";
import { and, eq, sql } from "drizzle-orm";
import { notFound, redirect } from "next/navigation";
import { db, preparedQuery } from "@/db";
import { memberships, teams, users } from "@/db/schema";
import { auth } from "@/lib/auth";
import { PROXY_IDENTITY_HEADER, proxyIdentity } from "@/lib/auth/proxy-identity";
import type { Session } from "@/lib/actions/safe-action";

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

const userColumns = { id: users.id, email: users.email, name: users.name };

/** The signed-in user, or null: for pages anyone may see (an invitation link). */
export const currentUser = cache(async () => {
  const session = await currentSession();
  if (!session) return null;
  const [user] = await db()
    .select(userColumns)
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

const userAndMembership = preparedQuery((db) =>
  db
    .select({ user: userColumns, team: teams, role: memberships.role })
    .from(users)
    .leftJoin(teams, eq(teams.slug, sql.placeholder("slug")))
    .leftJoin(memberships, and(eq(memberships.teamId, teams.id), eq(memberships.userId, users.id)))
    .where(eq(users.id, sql.placeholder("uid")))
    .prepare("user_and_membership"),
);

/**
 * The signed-in user and their membership of the team in the URL, read in one round trip; a team
 * they are not in (or none has this slug) is a 404, as the actions' membership check answers.
 */
export const requireTeam = cache(async (teamSlug: string) => {
  const session = await currentSession();
  if (!session) redirect("/sign-in");
  const [row] = await userAndMembership().execute({ slug: teamSlug, uid: session.userId });
  if (!row) redirect("/sign-in");
  const { user, team, role } = row;
  if (!team || !role) notFound();
  return { user, team, role };
});
