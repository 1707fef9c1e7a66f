import "server-only";
import { z } from "zod";
import { membershipOf, throwIfRefused, userAction } from "@/lib/actions/safe-action";
import { tokenRoleRefusal } from "./scope";
import { createTokenSchema, revokeTokenSchema } from "./schemas";
import { createToken, listTokens, revokeToken } from "./tokens";

/**
 * A person's API tokens. They are account settings, so user actions: a token itself cannot make,
 * list or revoke tokens. Any member may make a token for their team, with their role or a lower one.
 */
export const tokenActions = {
  create: userAction({
    name: "token.create",
    schema: createTokenSchema,
    load: ({ user, input }) => membershipOf(user.id, input.teamSlug),
    rule: ({ row, input }) => throwIfRefused(tokenRoleRefusal(row.role, input.role)),
    body: ({ user, row, input }) => createToken({ userId: user.id, teamId: row.team.id, name: input.name, role: input.role, expiresInDays: input.expiresInDays }),
  }),
  list: userAction({
    name: "token.list",
    schema: z.strictObject({}),
    body: ({ user }) => listTokens(user.id),
  }),
  revoke: userAction({
    name: "token.revoke",
    schema: revokeTokenSchema,
    body: ({ user, input }) => revokeToken(user.id, input.tokenId),
  }),
};
