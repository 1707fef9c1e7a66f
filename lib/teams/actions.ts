import "server-only";
import { requireRole, teamAction, userAction } from "@/lib/actions/safe-action";
import { SafeError } from "@/lib/errors";
import { addMemberSchema, changeRoleSchema, createTeamSchema, removeMemberSchema } from "./schemas";
import { addMember, changeRole, createTeam, removeMember } from "./service";

/** The team actions, bound to a session by the "use server" module and called directly by tests. */
export const teamActions = {
  create: userAction({
    name: "team.create",
    schema: createTeamSchema,
    body: async ({ user, input }) => {
      const team = await createTeam(user.id, input.name);
      return { slug: team.slug, name: team.name };
    },
  }),

  addMember: teamAction({
    name: "team.addMember",
    schema: addMemberSchema,
    rule: ({ role, input }) => {
      requireRole(role, ["owner", "admin"], "add members");
      if (input.role === "owner" && role !== "owner") {
        throw new SafeError("forbidden", "Only a team owner can add another owner");
      }
    },
    body: ({ team, input }) => addMember(team.id, input.email, input.role),
  }),

  changeRole: teamAction({
    name: "team.changeRole",
    schema: changeRoleSchema,
    rule: ({ role }) => requireRole(role, ["owner", "admin"], "change roles"),
    body: async ({ team, role, input }) => {
      await changeRole(team.id, role, input.userId, input.role);
      return { userId: input.userId, role: input.role };
    },
  }),

  removeMember: teamAction({
    name: "team.removeMember",
    schema: removeMemberSchema,
    // Anyone may leave; removing someone else is for owners and admins (checked with the target's role).
    body: async ({ user, team, role, input }) => {
      await removeMember(team.id, { id: user.id, role }, input.userId);
      return { userId: input.userId };
    },
  }),
};
