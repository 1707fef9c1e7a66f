import "server-only";
import { z } from "zod";
import type { Action, ActionResult } from "@/lib/actions/safe-action";
import type { TokenCaller } from "@/lib/api-tokens/tokens";
import { containerActions } from "@/lib/containers/actions";
import { environmentActions } from "@/lib/environments/actions";
import { registryActions } from "@/lib/registries/actions";
import { createRegistrySchema, listRegistriesSchema, testRegistrySchema } from "@/lib/registries/schemas";
import * as responses from "./responses";

/**
 * The REST API, one entry per operation: the route handlers run these, and the OpenAPI document
 * is generated from them. Each calls the same action object the dashboard's server actions do,
 * with the token's session: the same wrapper (user → team → role rule), the same services.
 */

/** Path parameters after `{team}`, with what each names (for "Registry not found"). */
const PATH_IDS = { registryId: "Registry", environmentId: "Environment", containerId: "Container", deploymentId: "Deployment" } as const;
export type PathId = keyof typeof PATH_IDS;

export type Endpoint = {
  operationId: string;
  method: "GET" | "POST" | "PATCH" | "DELETE";
  /** OpenAPI form, under /api/v1. */
  path: string;
  summary: string;
  /** Who may, in the rule's words; the OpenAPI description. */
  description: string;
  tag: "Registries" | "Environments" | "Containers" | "Token";
  /** The query string, read by this object schema's keys (numbers where it says integer). */
  query?: z.ZodObject;
  /** The JSON body: the action's schema (path parameters are left out of the document). */
  body?: z.ZodType;
  response: z.ZodType;
  status: 200 | 201 | 202;
  run: (caller: TokenCaller, input: Record<string, unknown>) => Promise<ActionResult<unknown>>;
};

/** The action with the token's session: everything it checks for a signed-in user, it checks here. */
const as =
  <T>(action: Action<T>) =>
  (caller: TokenCaller, input: Record<string, unknown>) =>
    action(caller.session, input);

/**
 * An edit: any subset of the name and the credential fields. Rotating is changing a secret
 * field; an empty secret field keeps the stored value. (The action's own schema takes any value
 * here and parses it against the stored registry's type.)
 */
const updateRegistryBody = z.strictObject({
  name: z.string().max(100).optional(),
  credentials: z.record(z.string(), z.string()).optional().meta({ description: "The registry type's fields; an empty secret keeps the stored one" }),
});

export const endpoints = {
  token: {
    operationId: "getToken",
    method: "GET",
    path: "/token",
    summary: "The token's own team, role and expiry",
    description: "Any valid token.",
    tag: "Token",
    response: responses.tokenResponse,
    status: 200,
    run: async ({ token }) => ({ ok: true, data: { id: token.id, name: token.name, team: token.teamSlug, role: token.role, expiresAt: token.expiresAt } }),
  },
  listRegistries: {
    operationId: "listRegistries",
    method: "GET",
    path: "/teams/{team}/registries",
    summary: "List the team's registries (50 a page, by name)",
    description: "Any member.",
    tag: "Registries",
    query: listRegistriesSchema,
    response: responses.registryListResponse,
    status: 200,
    run: as(registryActions.list),
  },
  createRegistry: {
    operationId: "createRegistry",
    method: "POST",
    path: "/teams/{team}/registries",
    summary: "Save a registry's credentials",
    description: "Any member. The fields of `credentials` depend on `type`.",
    tag: "Registries",
    body: createRegistrySchema,
    response: responses.registryCreatedResponse,
    status: 201,
    run: as(registryActions.create),
  },
  getRegistry: {
    operationId: "getRegistry",
    method: "GET",
    path: "/teams/{team}/registries/{registryId}",
    summary: "One registry, without its secret values",
    description: "Any member.",
    tag: "Registries",
    response: responses.registryResponse,
    status: 200,
    run: as(registryActions.get),
  },
  updateRegistry: {
    operationId: "updateRegistry",
    method: "PATCH",
    path: "/teams/{team}/registries/{registryId}",
    summary: "Rename a registry or rotate its credentials",
    description: "The registry's creator, or a team owner or admin.",
    tag: "Registries",
    body: updateRegistryBody,
    response: responses.registryUpdatedResponse,
    status: 200,
    run: as(registryActions.update),
  },
  deleteRegistry: {
    operationId: "deleteRegistry",
    method: "DELETE",
    path: "/teams/{team}/registries/{registryId}",
    summary: "Delete a registry and the pull secrets written from it",
    description: "Its creator; a team owner once the creator has left the team. Refused (409) while containers use it.",
    tag: "Registries",
    response: responses.registryDeletedResponse,
    status: 200,
    run: as(registryActions.delete),
  },
  testRegistry: {
    operationId: "testRegistry",
    method: "POST",
    path: "/teams/{team}/registries/{registryId}/test",
    summary: "Test the saved credentials, or an edit of them, against the registry",
    description: "Any member tests the saved credentials (recorded as the last test); testing typed `credentials` is for whoever may update the registry. `live: false` checks the structure only.",
    tag: "Registries",
    body: testRegistrySchema,
    response: responses.registryTestResponse,
    status: 200,
    run: as(registryActions.test),
  },
  listEnvironments: {
    operationId: "listEnvironments",
    method: "GET",
    path: "/teams/{team}/environments",
    summary: "List the team's environments, without their connection secrets",
    description: "Any member.",
    tag: "Environments",
    response: responses.environmentListResponse,
    status: 200,
    run: as(environmentActions.list),
  },
  listContainers: {
    operationId: "listContainers",
    method: "GET",
    path: "/teams/{team}/environments/{environmentId}/containers",
    summary: "List an environment's containers",
    description: "Any member.",
    tag: "Containers",
    response: responses.containerListResponse,
    status: 200,
    run: as(containerActions.list),
  },
  deployContainer: {
    operationId: "deployContainer",
    method: "POST",
    path: "/teams/{team}/containers/{containerId}/deploy",
    summary: "Deploy a container with its registry's current credentials",
    description: "Any member. Answers at once with the deployment's id; the run goes on on the server. One run at a time per container (409).",
    tag: "Containers",
    response: responses.deploymentStartedResponse,
    status: 202,
    run: as(containerActions.deploy),
  },
  deploymentStatus: {
    operationId: "getDeployment",
    method: "GET",
    path: "/teams/{team}/deployments/{deploymentId}",
    summary: "A deployment's status and steps",
    description: "Any member.",
    tag: "Containers",
    response: responses.deploymentResponse,
    status: 200,
    run: as(containerActions.progress),
  },
} satisfies Record<string, Endpoint>;

/** `{registryId}` … of a path, with what each names. */
export function pathIdsOf(endpoint: Endpoint): Partial<Record<PathId, string>> {
  const ids: Partial<Record<PathId, string>> = {};
  for (const [, name = ""] of endpoint.path.matchAll(/\{(\w+)\}/g)) if (name in PATH_IDS) ids[name as PathId] = PATH_IDS[name as PathId];
  return ids;
}
