import "server-only";
import { z } from "zod";
import { teamAction, throwIfRefused } from "@/lib/actions/safe-action";
import { manageEnvironmentsRefusal } from "./permissions";
import { environmentEditSchema, environmentIdField, environmentInputSchema, testConnectionSchema } from "./schemas";
import { createEnvironment, deleteEnvironment, listEnvironments, loadEnvironment, testConnection, testEnvironment, updateEnvironment } from "./service";

/**
 * Any member sees environments and tests their saved connection; owners and admins add, change
 * and delete them, and test a typed connection before saving it.
 */
export const environmentActions = {
  create: teamAction({
    name: "environment.create",
    schema: environmentInputSchema,
    rule: ({ role }) => throwIfRefused(manageEnvironmentsRefusal(role, "add environments")),
    body: ({ team, user, input }) => createEnvironment(team, user, input),
  }),
  update: teamAction({
    name: "environment.update",
    schema: environmentEditSchema,
    load: ({ team, input }) => loadEnvironment(team.id, input.environmentId),
    rule: ({ role }) => throwIfRefused(manageEnvironmentsRefusal(role, "change environments")),
    body: ({ team, user, row, input }) => updateEnvironment(team, user, row, input),
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
  testConnection: teamAction({
    name: "environment.testConnection",
    schema: testConnectionSchema,
    load: async ({ team, input }) => (input.environmentId ? loadEnvironment(team.id, input.environmentId) : null),
    // Typed values are what an owner or admin is about to save (an edit's kept secrets go with them).
    rule: ({ role }) => throwIfRefused(manageEnvironmentsRefusal(role, "test a connection before saving it")),
    body: ({ user, row, input }) => testConnection(user, row, input),
  }),
  list: teamAction({
    name: "environment.list",
    schema: z.strictObject({}),
    body: ({ team }) => listEnvironments(team.id),
  }),
};
