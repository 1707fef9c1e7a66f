import "server-only";
import { and, asc, count, desc, eq, isNull, or, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { db, preparedQuery } from "@/db";
import { auditEvents, environments, invitations, memberships, registries, teams, users, type TeamRole } from "@/db/schema";
import { newId } from "@/lib/ids";
import { SafeError, fieldError } from "@/lib/errors";
import { logger } from "@/lib/logger";
import { slugify, withSuffix } from "./slug";

export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];

/** A free slug for a new team: the name's slug, or that slug with a random suffix. */
async function freeSlug(tx: Tx | Db, name: string): Promise<string> {
  const base = slugify(name);
  for (const candidate of [base, withSuffix(base), withSuffix(base), withSuffix(base)]) {
    const [taken] = await tx.select({ id: teams.id }).from(teams).where(eq(teams.slug, candidate));
    if (!taken) return candidate;
  }
  throw new Error("could not find a free team slug");
}

/** One line of the team's history (who did what to its people and itself); never a secret. */
export async function teamAudit(tx: Tx | Db, teamId: string, actorId: string | null, action: string, details: Record<string, unknown>) {
  await tx.insert(auditEvents).values({ teamId, actorId, action, details });
}

/** Inserts a team and its owner inside the caller's transaction. */
export async function insertTeamWithOwner(tx: Tx, opts: { name: string; ownerId: string; personal: boolean }) {
  const slug = await freeSlug(tx, opts.name);
  const [team] = await tx
    .insert(teams)
    .values({ id: newId("team"), slug, name: opts.name, personal: opts.personal })
    .returning();
  await tx.insert(memberships).values({ teamId: team!.id, userId: opts.ownerId, role: "owner" });
  return team!;
}

export function createTeam(ownerId: string, name: string) {
  return db().transaction(async (tx) => {
    const team = await insertTeamWithOwner(tx, { name, ownerId, personal: false });
    await teamAudit(tx, team.id, ownerId, "team.created", { name });
    return team;
  });
}

const teamsOfUser = preparedQuery((db) =>
  db
    .select({ id: teams.id, slug: teams.slug, name: teams.name, personal: teams.personal, role: memberships.role })
    .from(memberships)
    .innerJoin(teams, eq(teams.id, memberships.teamId))
    .where(eq(memberships.userId, sql.placeholder("uid")))
    .orderBy(asc(teams.personal), asc(teams.name), asc(teams.slug))
    .prepare("teams_of_user"),
);

/** The user's teams for the team switcher: personal first, then by name. */
export function listTeamsOf(userId: string) {
  return teamsOfUser().execute({ uid: userId });
}

export function listMembers(teamId: string) {
  return db()
    .select({ userId: users.id, name: users.name, email: users.email, role: memberships.role, since: memberships.createdAt })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(eq(memberships.teamId, teamId))
    .orderBy(asc(users.email));
}

/** A member of the team, for the rules that depend on their role; "not found" otherwise. */
export async function loadMember(teamId: string, userId: string): Promise<{ userId: string; role: TeamRole; email: string }> {
  const [row] = await db()
    .select({ userId: memberships.userId, role: memberships.role, email: users.email })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.teamId, teamId), eq(memberships.userId, userId)));
  if (!row) throw new SafeError("not_found", "Member not found");
  return row;
}

/** Adds a member with an account; without one, the caller invites them instead (null). */
export async function addExistingUser(teamId: string, actorId: string, email: string, role: TeamRole): Promise<{ userId: string } | null> {
  const [user] = await db().select({ id: users.id }).from(users).where(eq(users.email, email));
  if (!user) return null;
  return db().transaction(async (tx) => {
    const inserted = await tx.insert(memberships).values({ teamId, userId: user.id, role }).onConflictDoNothing().returning({ userId: memberships.userId });
    if (inserted.length === 0) throw fieldError("email", "This person is already a member of the team");
    // They signed up without the link: it has done its job.
    await tx
      .update(invitations)
      .set({ revokedAt: new Date(), revokedBy: actorId })
      .where(and(eq(invitations.teamId, teamId), eq(invitations.email, email), isNull(invitations.acceptedAt), isNull(invitations.revokedAt)));
    await teamAudit(tx, teamId, actorId, "team.member_added", { email, role });
    return { userId: user.id };
  });
}

/**
 * Changes or removes memberships while keeping at least one owner. The team's owner rows are
 * locked first, so two concurrent demotions cannot both pass the check; the target's role is
 * read again under the lock and must still be what the rule decided on.
 */
async function withOwnersLocked<T>(teamId: string, target: { userId: string; role: TeamRole }, fn: (tx: Tx, ownerIds: string[]) => Promise<T>): Promise<T> {
  return db().transaction(async (tx) => {
    const owners = await tx
      .select({ userId: memberships.userId })
      .from(memberships)
      .where(and(eq(memberships.teamId, teamId), eq(memberships.role, "owner")))
      .for("update");
    const [row] = await tx
      .select({ role: memberships.role })
      .from(memberships)
      .where(and(eq(memberships.teamId, teamId), eq(memberships.userId, target.userId)));
    if (!row) throw new SafeError("not_found", "Member not found");
    if (row.role !== target.role) throw new SafeError("conflict", "This member's role changed meanwhile. Reload the page and try again.");
    return fn(tx, owners.map((o) => o.userId));
  });
}

/** Moves `target` to `role`; the caller may (the action's rule). */
export function changeRole(teamId: string, actorId: string, target: { userId: string; role: TeamRole; email: string }, role: TeamRole) {
  return withOwnersLocked(teamId, target, async (tx, ownerIds) => {
    if (target.role === "owner" && role !== "owner" && ownerIds.length <= 1) {
      throw fieldError("role", "A team needs at least one owner. Make someone else owner first.");
    }
    await tx
      .update(memberships)
      .set({ role })
      .where(and(eq(memberships.teamId, teamId), eq(memberships.userId, target.userId)));
    await teamAudit(tx, teamId, actorId, "team.role_changed", { email: target.email, from: target.role, to: role });
  });
}

/** Removes `target` (or lets them leave); the caller may (the action's rule). */
export function removeMember(teamId: string, actorId: string, target: { userId: string; role: TeamRole; email: string }) {
  return withOwnersLocked(teamId, target, async (tx, ownerIds) => {
    if (target.role === "owner" && ownerIds.length <= 1) {
      throw new SafeError("conflict", "The last owner cannot leave or be removed. Make someone else owner first.");
    }
    await tx.delete(memberships).where(and(eq(memberships.teamId, teamId), eq(memberships.userId, target.userId)));
    await teamAudit(tx, teamId, actorId, actorId === target.userId ? "team.member_left" : "team.member_removed", { email: target.email, role: target.role });
  });
}

export async function renameTeam(teamId: string, actorId: string, from: string, name: string) {
  if (name === from) return { name };
  await db().transaction(async (tx) => {
    await tx.update(teams).set({ name }).where(eq(teams.id, teamId));
    await teamAudit(tx, teamId, actorId, "team.renamed", { from, to: name });
  });
  return { name };
}

/** What deleting the team takes with it, as its delete dialog says, and what stops it. */
export type TeamHoldings = { environments: number; registries: number; members: number; pendingInvitations: number };

export async function teamHoldings(teamId: string): Promise<TeamHoldings> {
  const counted = (table: typeof environments | typeof registries | typeof memberships, where = eq(table.teamId, teamId)) =>
    db()
      .select({ n: count() })
      .from(table)
      .where(where)
      .then(([r]) => Number(r?.n ?? 0));
  const [envs, regs, members, pending] = await Promise.all([
    counted(environments),
    counted(registries),
    counted(memberships),
    db()
      .select({ n: count() })
      .from(invitations)
      .where(and(eq(invitations.teamId, teamId), isNull(invitations.acceptedAt), isNull(invitations.revokedAt)))
      .then(([r]) => Number(r?.n ?? 0)),
  ]);
  return { environments: envs, registries: regs, members, pendingInvitations: pending };
}

/**
 * Environments run workloads and hold pull secrets on clusters the dashboard would lose track of:
 * a team that has any is not deleted until they are (which removes their workloads first).
 */
export function deleteBlocker(environmentCount: number): string | null {
  const n = environmentCount;
  if (n === 0) return null;
  return `This team still has ${n} environment${n === 1 ? "" : "s"}. Delete ${n === 1 ? "it" : "them"} first: that removes their containers' workloads and pull secrets from your clusters.`;
}

/**
 * Deletes the team with its registries (their saved credentials), memberships, pending
 * invitations and history. The environment check and the delete are one transaction under a
 * lock on the team row, so an environment added meanwhile stops it. Its members are signed in
 * still: a user with no team left lands on "Create a team".
 */
export async function deleteTeam(teamId: string, actorId: string) {
  return db().transaction(async (tx) => {
    const [team] = await tx.select().from(teams).where(eq(teams.id, teamId)).for("update");
    if (!team) throw new SafeError("not_found", "Team not found");
    const [envs] = await tx.select({ n: count() }).from(environments).where(eq(environments.teamId, teamId));
    const blocker = deleteBlocker(Number(envs?.n ?? 0));
    if (blocker) throw new SafeError("conflict", blocker);
    await tx.delete(teams).where(eq(teams.id, teamId));
    // The team's history goes with it; the log keeps who deleted what.
    logger.info({ teamId, slug: team.slug, name: team.name, actorId }, "team deleted");
    return { slug: team.slug };
  });
}

/** The team's own history: members, invitations, names, and registries deleted. */
export function listTeamAudit(teamId: string) {
  return db()
    .select({ id: auditEvents.id, action: auditEvents.action, details: auditEvents.details, at: auditEvents.at, actorName: users.name })
    .from(auditEvents)
    .leftJoin(users, eq(users.id, auditEvents.actorId))
    .where(and(eq(auditEvents.teamId, teamId), or(sql`${auditEvents.action} like 'team.%'`, eq(auditEvents.action, "registry.deleted"))))
    .orderBy(desc(auditEvents.at), desc(auditEvents.id))
    .limit(100);
}
