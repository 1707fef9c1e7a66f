import type { TeamRole } from "@/db/schema";

/**
 * Who may do what to a team and its people, for the actions' rules and the team page alike
 * (`null`: allowed). Admins manage members and invitations; only owners touch the owner role,
 * rename the team or delete it. Anyone may leave. Keeping one owner is the service's job: it is
 * a fact about the team, checked under a lock, not about who asks.
 */

type Actor = { id: string; role: TeamRole };

export function manageMembersRefusal(role: TeamRole): string | null {
  return role === "owner" || role === "admin" ? null : "Only a team owner or admin can manage members and invitations";
}

/** Adding or inviting someone with `role`, or revoking such an invitation. */
export function grantRefusal(actorRole: TeamRole, role: TeamRole): string | null {
  if (actorRole !== "owner" && role === "owner") return "Only a team owner can add another owner";
  return manageMembersRefusal(actorRole);
}

/** Moving a member from `current` to `next`. */
export function changeRoleRefusal(actorRole: TeamRole, current: TeamRole, next: TeamRole): string | null {
  if (actorRole !== "owner" && (current === "owner" || next === "owner")) return "Only a team owner can grant or take away the owner role";
  return manageMembersRefusal(actorRole);
}

export function removeMemberRefusal(actor: Actor, target: { userId: string; role: TeamRole }): string | null {
  if (actor.id === target.userId) return null;
  if (actor.role === "member") return "Only a team owner or admin can remove members";
  if (target.role === "owner" && actor.role !== "owner") return "Only a team owner can remove an owner";
  return null;
}

export function ownerOnlyRefusal(role: TeamRole, what: string): string | null {
  return role === "owner" ? null : `Only a team owner can ${what}`;
}
