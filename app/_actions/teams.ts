"use server";
import { revalidatePath } from "next/cache";
import { currentSession } from "@/lib/auth/session";
import { teamActions } from "@/lib/teams/actions";

export async function createTeamAction(input: unknown) {
  return teamActions.create(await currentSession(), input);
}

async function revalidatedTeamAction<T>(action: (s: Awaited<ReturnType<typeof currentSession>>, i: unknown) => Promise<T>, input: unknown) {
  const result = await action(await currentSession(), input);
  revalidatePath("/t/[team]", "layout");
  return result;
}

export async function addMemberAction(input: unknown) {
  return revalidatedTeamAction(teamActions.addMember, input);
}

export async function changeRoleAction(input: unknown) {
  return revalidatedTeamAction(teamActions.changeRole, input);
}

export async function removeMemberAction(input: unknown) {
  return revalidatedTeamAction(teamActions.removeMember, input);
}
