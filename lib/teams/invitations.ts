import "server-only";
import { createHash, randomBytes } from "node:crypto";
import { and, asc, eq, gt, isNull } from "drizzle-orm";
import { db } from "@/db";
import { invitations, memberships, teams, users, type Invitation, type TeamRole } from "@/db/schema";
import { isUniqueViolation } from "@/db/errors";
import { newId } from "@/lib/ids";
import { SafeError } from "@/lib/errors";
import { invitationTokenField } from "@/lib/auth/schemas";
import { teamAudit, type Tx } from "./service";

/**
 * Invitations: a link for someone without an account (no mail server needed). The link's token
 * is 32 random bytes; the database keeps only its SHA-256, so the link is shown once, to the
 * inviter. It works for the invited e-mail only, until it expires, once.
 */

export const INVITATION_DAYS = 7;

const hashToken = (token: string) => createHash("sha256").update(token).digest("hex");
/** Where a link leads: the browser puts its own origin in front. */
export const invitationPath = (token: string) => `/invite/${token}`;

export type CreatedInvitation = { invitationId: string; email: string; role: TeamRole; path: string; expiresAt: Date };

/**
 * A new pending invitation. Inviting the same e-mail again revokes the earlier link (it may have
 * been lost or have expired) in the same transaction: one pending per team and e-mail.
 */
export async function createInvitation(teamId: string, actorId: string, email: string, role: TeamRole): Promise<CreatedInvitation> {
  const token = randomBytes(32).toString("base64url");
  const id = newId("inv");
  const expiresAt = new Date(Date.now() + INVITATION_DAYS * 24 * 60 * 60 * 1000);
  try {
    await db().transaction(async (tx) => {
      const replaced = await tx
        .update(invitations)
        .set({ revokedAt: new Date(), revokedBy: actorId })
        .where(and(eq(invitations.teamId, teamId), eq(invitations.email, email), isNull(invitations.acceptedAt), isNull(invitations.revokedAt)))
        .returning({ id: invitations.id });
      await tx.insert(invitations).values({ id, teamId, email, role, tokenHash: hashToken(token), invitedBy: actorId, expiresAt });
      await teamAudit(tx, teamId, actorId, "team.invited", { email, role, expiresAt: expiresAt.toISOString(), ...(replaced.length > 0 ? { replacedEarlierLink: true } : {}) });
    });
  } catch (err) {
    // Another invitation of this e-mail was created at the same moment: that one stands.
    if (isUniqueViolation(err)) throw new SafeError("conflict", "This e-mail was invited a moment ago. Reload the page to see its invitation.");
    throw err;
  }
  return { invitationId: id, email, role, path: invitationPath(token), expiresAt };
}

/** Pending invitations (expired ones too, until revoked), for the team page. */
export function listInvitations(teamId: string) {
  return db()
    .select({ id: invitations.id, email: invitations.email, role: invitations.role, createdAt: invitations.createdAt, expiresAt: invitations.expiresAt, invitedBy: users.name })
    .from(invitations)
    .leftJoin(users, eq(users.id, invitations.invitedBy))
    .where(and(eq(invitations.teamId, teamId), isNull(invitations.acceptedAt), isNull(invitations.revokedAt)))
    .orderBy(asc(invitations.email));
}

/** A pending invitation of the team, for the revoke rule (which depends on its role). */
export async function loadPendingInvitation(teamId: string, invitationId: string): Promise<Invitation> {
  const [row] = await db()
    .select()
    .from(invitations)
    .where(and(eq(invitations.id, invitationId), eq(invitations.teamId, teamId), isNull(invitations.acceptedAt), isNull(invitations.revokedAt)));
  if (!row) throw new SafeError("not_found", "Invitation not found");
  return row;
}

export async function revokeInvitation(teamId: string, actorId: string, invitation: Invitation) {
  await db().transaction(async (tx) => {
    const revoked = await tx
      .update(invitations)
      .set({ revokedAt: new Date(), revokedBy: actorId })
      .where(and(eq(invitations.id, invitation.id), eq(invitations.teamId, teamId), isNull(invitations.acceptedAt), isNull(invitations.revokedAt)))
      .returning({ id: invitations.id });
    // Accepted or revoked by someone else since the page was read.
    if (revoked.length === 0) throw new SafeError("not_found", "Invitation not found");
    await teamAudit(tx, teamId, actorId, "team.invitation_revoked", { email: invitation.email, role: invitation.role });
  });
  return { invitationId: invitation.id };
}

export type InvitationState = "pending" | "expired" | "accepted" | "revoked";
/** What the sign-up and sign-in forms say about the invitation they accept. */
export type PendingInvitation = { token: string; email: string; role: TeamRole; teamName: string };

/** What the invitation page shows for a link: the team it leads to and whether it still works. Null for a token never issued. */
export async function invitationByToken(token: string) {
  const [row] = await db()
    .select({ invitation: invitations, teamName: teams.name, teamSlug: teams.slug, invitedBy: users.name })
    .from(invitations)
    .innerJoin(teams, eq(teams.id, invitations.teamId))
    .leftJoin(users, eq(users.id, invitations.invitedBy))
    .where(eq(invitations.tokenHash, hashToken(token)));
  if (!row) return null;
  const { invitation } = row;
  const state: InvitationState = invitation.acceptedAt ? "accepted" : invitation.revokedAt ? "revoked" : invitation.expiresAt <= new Date() ? "expired" : "pending";
  return { id: invitation.id, email: invitation.email, role: invitation.role, expiresAt: invitation.expiresAt, acceptedBy: invitation.acceptedBy, state, team: { name: row.teamName, slug: row.teamSlug }, invitedBy: row.invitedBy };
}

const NOT_USABLE: Record<Exclude<InvitationState, "pending">, string> = {
  expired: "This invitation has expired. Ask the team's owner or an admin for a new link.",
  revoked: "This invitation was revoked or replaced by a newer link. Ask the team's owner or an admin for a new one.",
  accepted: "This invitation has already been used.",
};

/**
 * Accepts the invitation the token names for this user, inside the caller's transaction (sign-up
 * creates the account in the same one). The token is used once: the update that marks it accepted
 * only matches a pending, unexpired invitation for this e-mail, so two accepts cannot both pass.
 */
export async function acceptInvitationIn(tx: Tx, token: string, user: { id: string; email: string }): Promise<{ teamSlug: string; teamName: string }> {
  const [row] = await tx.select().from(invitations).where(eq(invitations.tokenHash, hashToken(token)));
  if (!row) throw new SafeError("not_found", "This invitation link is not valid. Check that it was copied whole.");
  if (row.email !== user.email) {
    throw new SafeError("forbidden", `This invitation is for ${row.email}. Sign in or create an account with that address to accept it.`);
  }
  const [accepted] = await tx
    .update(invitations)
    .set({ acceptedAt: new Date(), acceptedBy: user.id })
    .where(and(eq(invitations.id, row.id), isNull(invitations.acceptedAt), isNull(invitations.revokedAt), gt(invitations.expiresAt, new Date())))
    .returning({ teamId: invitations.teamId, role: invitations.role });
  if (!accepted) {
    // Read again: an accept racing this one may have committed after the first read (the update
    // waited for it), and then the invitation was used, not expired.
    const [current = row] = await tx.select().from(invitations).where(eq(invitations.id, row.id));
    const state: Exclude<InvitationState, "pending"> = current.acceptedAt ? "accepted" : current.revokedAt ? "revoked" : "expired";
    throw new SafeError("conflict", NOT_USABLE[state]);
  }
  // Already a member (added directly since): the invitation is used up all the same.
  await tx.insert(memberships).values({ teamId: accepted.teamId, userId: user.id, role: accepted.role }).onConflictDoNothing();
  await teamAudit(tx, accepted.teamId, user.id, "team.invitation_accepted", { email: user.email, role: accepted.role });
  const [team] = await tx.select({ slug: teams.slug, name: teams.name }).from(teams).where(eq(teams.id, accepted.teamId));
  return { teamSlug: team!.slug, teamName: team!.name };
}

export function acceptInvitation(token: string, user: { id: string; email: string }) {
  return db().transaction((tx) => acceptInvitationIn(tx, token, user));
}

/** For the sign-up and sign-in pages opened from a link: what it invites to, while it still works. */
export async function pendingInvitation(token: string | undefined): Promise<PendingInvitation | null> {
  const parsed = invitationTokenField.safeParse(token);
  if (!parsed.success) return null;
  const invitation = await invitationByToken(parsed.data);
  if (invitation?.state !== "pending") return null;
  return { token: parsed.data, email: invitation.email, role: invitation.role, teamName: invitation.team.name };
}
