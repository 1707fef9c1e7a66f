"use server";
import { runAction } from "@/lib/actions/run";
import { teamActions } from "@/lib/teams/actions";

const TEAM_PAGES = "/t/[team]";

export async function createTeamAction(input: unknown) {
  return runAction(teamActions.create, input);
}

export async function renameTeamAction(input: unknown) {
  return runAction(teamActions.rename, input, TEAM_PAGES);
}

export async function deleteTeamAction(input: unknown) {
  return runAction(teamActions.delete, input);
}

export async function addMemberAction(input: unknown) {
  return runAction(teamActions.addMember, input, TEAM_PAGES);
}

export async function changeRoleAction(input: unknown) {
  return runAction(teamActions.changeRole, input, TEAM_PAGES);
}

export async function removeMemberAction(input: unknown) {
  return runAction(teamActions.removeMember, input, TEAM_PAGES);
}

export async function revokeInvitationAction(input: unknown) {
  return runAction(teamActions.revokeInvitation, input, TEAM_PAGES);
}

export async function acceptInvitationAction(input: unknown) {
  return runAction(teamActions.acceptInvitation, input);
}
