import "server-only";
import { z } from "zod";
import { teamAction, throwIfRefused } from "@/lib/actions/safe-action";
import { manageEnvironmentsRefusal } from "./permissions";
import { environmentIdField, environmentInputSchema } from "./schemas";
import { createEnvironment, deleteEnvironment, listEnvironments, testEnvironment } from "./service";

/** Any member sees environments and tests their connection; owners and admins add and delete them. */
export const environmentActions = {
  create: teamAction({
    name: "environment.create",
    schema: environmentInputSchema,
    rule: ({ role }) => throwIfRefused(manageEnvironmentsRefusal(role, "add environments")),
    body: ({ team, user, input }) => createEnvironment(team, user, input),
  }),
  delete: teamAction({
    name: "environment.delete",
    schema: z.strictObject({ environmentId: environmentIdField }),
    rule: ({ role }) => throwIfRefused(manageEnvironmentsRefusal(role, "delete environments")),
    body: ({ team, input }) => deleteEnvironment(team, input.environmentId),
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
