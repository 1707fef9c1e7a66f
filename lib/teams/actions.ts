import "server-only";
import { teamAction, throwIfRefused, userAction } from "@/lib/actions/safe-action";
import { acceptInvitation, createInvitation, loadPendingInvitation, revokeInvitation } from "./invitations";
import { changeRoleRefusal, grantRefusal, manageMembersRefusal, ownerOnlyRefusal, removeMemberRefusal } from "./permissions";
import { acceptInvitationSchema, addMemberSchema, changeRoleSchema, createTeamSchema, deleteTeamSchema, removeMemberSchema, renameTeamSchema, revokeInvitationSchema } from "./schemas";
import { addExistingUser, changeRole, createTeam, deleteTeam, loadMember, removeMember, renameTeam } from "./service";

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

  rename: teamAction({
    name: "team.rename",
    schema: renameTeamSchema,
    rule: ({ role }) => throwIfRefused(ownerOnlyRefusal(role, "rename the team")),
    body: ({ team, user, input }) => renameTeam(team.id, user.id, team.name, input.name),
  }),

  delete: teamAction({
    name: "team.delete",
    schema: deleteTeamSchema,
    rule: ({ role }) => throwIfRefused(ownerOnlyRefusal(role, "delete the team")),
    body: ({ team, user }) => deleteTeam(team.id, user.id),
  }),

  /** Someone with an account becomes a member at once; anyone else gets an invitation link. */
  addMember: teamAction({
    name: "team.addMember",
    schema: addMemberSchema,
    rule: ({ role, input }) => throwIfRefused(grantRefusal(role, input.role)),
    body: async ({ team, user, input }) => {
      const added = await addExistingUser(team.id, user.id, input.email, input.role);
      if (added) return { added: true as const, userId: added.userId };
      return { added: false as const, invitation: await createInvitation(team.id, user.id, input.email, input.role) };
    },
  }),

  changeRole: teamAction({
    name: "team.changeRole",
    schema: changeRoleSchema,
    load: ({ team, input }) => loadMember(team.id, input.userId),
    rule: ({ role, row, input }) => throwIfRefused(changeRoleRefusal(role, row.role, input.role)),
    body: async ({ team, user, row, input }) => {
      await changeRole(team.id, user.id, row, input.role);
      return { userId: input.userId, role: input.role };
    },
  }),

  /** Anyone may leave; removing someone else is for owners and admins, and an owner only by an owner. */
  removeMember: teamAction({
    name: "team.removeMember",
    schema: removeMemberSchema,
    load: ({ team, input }) => loadMember(team.id, input.userId),
    rule: ({ user, role, row }) => throwIfRefused(removeMemberRefusal({ id: user.id, role }, row)),
    body: async ({ team, user, row }) => {
      await removeMember(team.id, user.id, row);
      return { userId: row.userId };
    },
  }),

  revokeInvitation: teamAction({
    name: "team.revokeInvitation",
    schema: revokeInvitationSchema,
    load: ({ team, input }) => loadPendingInvitation(team.id, input.invitationId),
    rule: ({ role, row }) => throwIfRefused(row.role === "owner" ? grantRefusal(role, "owner") : manageMembersRefusal(role)),
    body: ({ team, user, row }) => revokeInvitation(team.id, user.id, row),
  }),

  /** The signed-in user accepts a link meant for their e-mail (the invitation page's button). */
  acceptInvitation: userAction({
    name: "team.acceptInvitation",
    schema: acceptInvitationSchema,
    body: ({ user, input }) => acceptInvitation(input.token, user),
  }),
};
