import "server-only";
import { and, asc, eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { db } from "@/db";
import { memberships, teams, users, type TeamRole } from "@/db/schema";
import { newId } from "@/lib/ids";
import { SafeError, fieldError } from "@/lib/errors";
import { slugify, withSuffix } from "./slug";

type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];

/** A free slug for a new team: the name's slug, or that slug with a random suffix. */
async function freeSlug(tx: Tx | Db, name: string): Promise<string> {
  const base = slugify(name);
  for (const candidate of [base, withSuffix(base), withSuffix(base), withSuffix(base)]) {
    const [taken] = await tx.select({ id: teams.id }).from(teams).where(eq(teams.slug, candidate));
    if (!taken) return candidate;
  }
  throw new Error("could not find a free team slug");
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
  return db().transaction((tx) => insertTeamWithOwner(tx, { name, ownerId, personal: false }));
}

export function listTeamsOf(userId: string) {
  return db()
    .select({ id: teams.id, slug: teams.slug, name: teams.name, personal: teams.personal, role: memberships.role })
    .from(memberships)
    .innerJoin(teams, eq(teams.id, memberships.teamId))
    .where(eq(memberships.userId, userId))
    .orderBy(asc(teams.personal), asc(teams.name));
}

export function listMembers(teamId: string) {
  return db()
    .select({ userId: users.id, name: users.name, email: users.email, role: memberships.role, since: memberships.createdAt })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(eq(memberships.teamId, teamId))
    .orderBy(asc(users.email));
}

export async function addMember(teamId: string, email: string, role: TeamRole) {
  const [user] = await db().select({ id: users.id }).from(users).where(eq(users.email, email));
  if (!user) throw fieldError("email", "No account uses this e-mail. Ask them to sign up first.");
  const inserted = await db()
    .insert(memberships)
    .values({ teamId, userId: user.id, role })
    .onConflictDoNothing()
    .returning({ userId: memberships.userId });
  if (inserted.length === 0) throw fieldError("email", "This person is already a member of the team");
  return { userId: user.id };
}

/**
 * Changes or removes memberships while keeping at least one owner.
 * The team's owner rows are locked first, so two concurrent demotions cannot both pass the check.
 */
async function withOwnersLocked<T>(teamId: string, fn: (tx: Tx, ownerIds: string[]) => Promise<T>): Promise<T> {
  return db().transaction(async (tx) => {
    const owners = await tx
      .select({ userId: memberships.userId })
      .from(memberships)
      .where(and(eq(memberships.teamId, teamId), eq(memberships.role, "owner")))
      .for("update");
    return fn(tx, owners.map((o) => o.userId));
  });
}

async function targetRole(tx: Tx, teamId: string, userId: string): Promise<TeamRole> {
  const [row] = await tx
    .select({ role: memberships.role })
    .from(memberships)
    .where(and(eq(memberships.teamId, teamId), eq(memberships.userId, userId)));
  if (!row) throw new SafeError("not_found", "Member not found");
  return row.role;
}

export function changeRole(teamId: string, actorRole: TeamRole, userId: string, role: TeamRole) {
  return withOwnersLocked(teamId, async (tx, ownerIds) => {
    const current = await targetRole(tx, teamId, userId);
    if (actorRole !== "owner" && (current === "owner" || role === "owner")) {
      throw new SafeError("forbidden", "Only a team owner can grant or take away the owner role");
    }
    if (current === "owner" && role !== "owner" && ownerIds.length <= 1) {
      throw fieldError("role", "A team needs at least one owner. Make someone else owner first.");
    }
    await tx
      .update(memberships)
      .set({ role })
      .where(and(eq(memberships.teamId, teamId), eq(memberships.userId, userId)));
  });
}

export function removeMember(teamId: string, actor: { id: string; role: TeamRole }, userId: string) {
  return withOwnersLocked(teamId, async (tx, ownerIds) => {
    const current = await targetRole(tx, teamId, userId);
    const self = actor.id === userId;
    if (!self && actor.role === "member") throw new SafeError("forbidden", "Only a team owner or admin can remove members");
    if (!self && current === "owner" && actor.role !== "owner") {
      throw new SafeError("forbidden", "Only a team owner can remove an owner");
    }
    if (current === "owner" && ownerIds.length <= 1) {
      throw new SafeError("conflict", "The last owner cannot leave or be removed. Make someone else owner first.");
    }
    await tx.delete(memberships).where(and(eq(memberships.teamId, teamId), eq(memberships.userId, userId)));
  });
}
