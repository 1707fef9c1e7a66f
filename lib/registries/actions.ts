import "server-only";
import { teamAction } from "@/lib/actions/safe-action";
import { registryInputSchema, type RegistryInput } from "./catalog";
import { deleteRegistrySchema, listRegistriesSchema, testRegistrySchema, updateRegistrySchema } from "./schemas";
import { createRegistry, deleteRegistry, listRegistries, testRegistry, updateRegistry } from "./service";

/**
 * The registry actions. Any member may list, create and test; the creator or a team owner/admin
 * may update; only the creator may delete (a team owner when the creator has left). The
 * ownership rules need the stored row, so the service checks them right after loading it.
 */
export const registryActions = {
  create: teamAction({
    name: "registry.create",
    schema: registryInputSchema,
    body: ({ team, user, input }) => createRegistry(team, user, input as RegistryInput),
  }),

  update: teamAction({
    name: "registry.update",
    schema: updateRegistrySchema,
    body: ({ team, user, role, input }) => updateRegistry(team, user, role, input),
  }),

  delete: teamAction({
    name: "registry.delete",
    schema: deleteRegistrySchema,
    body: ({ team, user, role, input }) => deleteRegistry(team, user, role, input.registryId),
  }),

  test: teamAction({
    name: "registry.test",
    schema: testRegistrySchema,
    body: ({ team, user, role, input }) => testRegistry(team, user, role, input),
  }),

  list: teamAction({
    name: "registry.list",
    schema: listRegistriesSchema,
    body: ({ team, input }) => listRegistries(team.id, input),
  }),
};
