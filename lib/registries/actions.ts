import "server-only";
import { teamAction } from "@/lib/actions/safe-action";
import { registryInputSchema, type RegistryInput } from "./catalog";
import { applyRegistrySchema, deleteRegistrySchema, listRegistriesSchema, probeRegistrySchema, testRegistrySchema, updateRegistrySchema } from "./schemas";
import { applyRotation, probeRegistry } from "./rollout";
import { createRegistry, deleteRegistry, listRegistries, testRegistry, updateRegistry } from "./service";

/**
 * The registry actions. Any member may list, create and test; the creator or a team owner/admin
 * may update and apply a rotation to every environment; only the creator may delete (a team
 * owner when the creator has left). Any member may probe the saved credentials. The
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

  apply: teamAction({
    name: "registry.apply",
    schema: applyRegistrySchema,
    body: ({ team, user, role, input }) => applyRotation(team, user, role, input.registryId),
  }),

  probe: teamAction({
    name: "registry.probe",
    schema: probeRegistrySchema,
    body: ({ team, user, role, input }) => probeRegistry(team, user, role, input),
  }),

  list: teamAction({
    name: "registry.list",
    schema: listRegistriesSchema,
    body: ({ team, input }) => listRegistries(team.id, input),
  }),
};
