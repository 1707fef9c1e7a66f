import "server-only";
import { teamAction, throwIfRefused } from "@/lib/actions/safe-action";
import { deleteRefusal, updateRefusal } from "./permissions";
import { applyRegistrySchema, createRegistrySchema, deleteRegistrySchema, type CreateRegistryInput, listRegistriesSchema, probeRegistrySchema, registryRefSchema, testRegistrySchema, updateRegistrySchema } from "./schemas";
import { applyRotation, probeRegistry } from "./rollout";
import { createRegistry, deleteRegistry, getRegistry, listRegistries, loadRow, loadRowWithCreator, testRegistry, updateRegistry } from "./service";

/**
 * The registry actions. Any member may list, create and test; the creator or a team owner/admin
 * may update, test or probe an edit, and apply a rotation to every environment; only the creator
 * may delete (a team owner once the creator has left). Any member may probe the saved
 * credentials, and list and read registries. Each rule reads the stored row, which `load` fetches scoped to the team.
 */
export const registryActions = {
  create: teamAction({
    name: "registry.create",
    schema: createRegistrySchema,
    body: ({ team, user, input }) => createRegistry(team, user, input as CreateRegistryInput),
  }),

  update: teamAction({
    name: "registry.update",
    schema: updateRegistrySchema,
    load: ({ team, input }) => loadRow(team.id, input.registryId),
    rule: ({ row, user, role }) => throwIfRefused(updateRefusal(row, user, role)),
    body: ({ team, user, row, input }) => updateRegistry(team, user, row, input),
  }),

  delete: teamAction({
    name: "registry.delete",
    schema: deleteRegistrySchema,
    load: ({ team, input }) => loadRowWithCreator(team.id, input.registryId),
    rule: ({ row, user, role }) => throwIfRefused(deleteRefusal(row, user, role)),
    body: ({ team, user, row }) => deleteRegistry(team, user, row),
  }),

  test: teamAction({
    name: "registry.test",
    schema: testRegistrySchema,
    load: async ({ team, input }) => (input.registryId ? loadRow(team.id, input.registryId) : null),
    // Testing the saved credentials is for any member; testing typed edits of them sends the saved secrets with them.
    rule: ({ row, user, role, input }) => throwIfRefused(row && input.credentials ? updateRefusal(row, user, role) : null),
    body: ({ team, user, row, input }) => testRegistry(team, user, row, input),
  }),

  apply: teamAction({
    name: "registry.apply",
    schema: applyRegistrySchema,
    load: ({ team, input }) => loadRow(team.id, input.registryId),
    rule: ({ row, user, role }) => throwIfRefused(updateRefusal(row, user, role)),
    body: ({ team, user, row }) => applyRotation(team, user, row),
  }),

  probe: teamAction({
    name: "registry.probe",
    schema: probeRegistrySchema,
    load: ({ team, input }) => loadRow(team.id, input.registryId),
    rule: ({ row, user, role, input }) => throwIfRefused(input.credentials ? updateRefusal(row, user, role) : null),
    body: ({ team, user, row, input }) => probeRegistry(team, user, row, input),
  }),

  list: teamAction({
    name: "registry.list",
    schema: listRegistriesSchema,
    body: ({ team, input }) => listRegistries(team.id, input),
  }),

  get: teamAction({
    name: "registry.get",
    schema: registryRefSchema,
    body: ({ team, input }) => getRegistry(team.id, input.registryId),
  }),
};
