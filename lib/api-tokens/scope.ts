import type { Team, TeamRole } from "@/db/schema";

/**
 * What an API token may do: act in one team, with a role no higher than the one it was given.
 * The creator's own role is read again at every request, so a token never outranks its creator
 * (demoted: the token is demoted; removed from the team: the token reaches nothing).
 */
export type TokenScope = { teamId: string; role: TeamRole };

const RANK: Record<TeamRole, number> = { member: 0, admin: 1, owner: 2 };

/** The caller's membership as a token sees it: the lower of the two roles; null for a team outside the scope. */
export function withinScope(membership: { team: Team; role: TeamRole }, scope: TokenScope | undefined): { team: Team; role: TeamRole } | null {
  if (!scope) return membership;
  if (scope.teamId !== membership.team.id) return null;
  return { team: membership.team, role: RANK[scope.role] < RANK[membership.role] ? scope.role : membership.role };
}

/** Creating a token with `role` in a team where the creator is `ownRole`: never higher than theirs. */
export function tokenRoleRefusal(ownRole: TeamRole, role: TeamRole): string | null {
  return RANK[role] > RANK[ownRole] ? `You are a team ${ownRole}: a token can have that role or a lower one` : null;
}
