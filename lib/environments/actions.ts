import "server-only";
import { z } from "zod";
import { teamAction } from "@/lib/actions/safe-action";
import { environmentIdField, environmentInputSchema } from "./schemas";
import { createEnvironment, deleteEnvironment, listEnvironments, testEnvironment } from "./service";

/** Any member sees environments and tests their connection; owners and admins add and delete them. */
export const environmentActions = {
  create: teamAction({
    name: "environment.create",
    schema: environmentInputSchema,
    body: ({ team, user, role, input }) => createEnvironment(team, user, role, input),
  }),
  delete: teamAction({
    name: "environment.delete",
    schema: z.strictObject({ environmentId: environmentIdField }),
    body: ({ team, role, input }) => deleteEnvironment(team, role, input.environmentId),
  }),
  test: teamAction({
    name: "environment.test",
    schema: z.strictObject({ environmentId: environmentIdField }),
    body: ({ team, input }) => testEnvironment(team, input.environmentId),
  }),
  list: teamAction({
    name: "environment.list",
    schema: z.strictObject({}),
    body: ({ team }) => listEnvironments(team.id),
  }),
};
