import {
  applyRegistryAction,
  createRegistryAction,
  deleteRegistryAction,
  listRegistriesAction,
  probeRegistryAction,
  testRegistryAction,
  updateRegistryAction,
} from "@/app/_actions/registries";
import type { ApplyRegistryInput, CreateRegistryInput, DeleteRegistryInput, ListRegistriesInput, ProbeRegistryInput, TestRegistryInput, UpdateRegistryInput } from "./schemas";

/**
 * The typed client API over the registry server actions, for one team:
 *
 *     const registry = registryClient("acme");
 *     await registry.delete({ registryId: "reg-abc123def456" });
 *
 * Every call still goes through the server's session, membership and ownership checks. From a
 * script or CI, `createClient` (lib/api/client.ts) has the same methods over the REST API.
 */
export function registryClient(teamSlug: string) {
  return {
    create: (input: CreateRegistryInput) => createRegistryAction({ teamSlug, ...input }),
    update: (input: UpdateRegistryInput) => updateRegistryAction({ teamSlug, ...input }),
    delete: (input: DeleteRegistryInput) => deleteRegistryAction({ teamSlug, ...input }),
    test: (input: TestRegistryInput) => testRegistryAction({ teamSlug, ...input }),
    list: (input: ListRegistriesInput = {}) => listRegistriesAction({ teamSlug, ...input }),
    apply: (input: ApplyRegistryInput) => applyRegistryAction({ teamSlug, ...input }),
    probe: (input: ProbeRegistryInput) => probeRegistryAction({ teamSlug, ...input }),
  };
}
