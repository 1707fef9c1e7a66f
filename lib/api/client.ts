import type { z } from "zod";
import type { ActionResult } from "../actions/safe-action";
import type { CreateRegistryInput, DeleteRegistryInput, ListRegistriesInput, TestRegistryInput, UpdateRegistryInput } from "../registries/schemas";
import type * as responses from "./responses";

/**
 * The typed client for scripts and CI: the same method names and results as the dashboard's
 * `registryClient`, over the REST API with a personal access token.
 *
 *     const { registry } = createClient({ baseUrl: "https://dockyard.example.com", token: process.env.DOCKYARD_TOKEN! });
 *     await registry.delete({ registryId: "reg-abc123def456" });
 *
 * Only type imports and `fetch`: it runs in Node 20 or any runtime with fetch. A refusal comes back
 * as `{ ok: false, code, error, fieldErrors }`, as from a server action, never as a throw.
 */

type Out<S extends z.ZodType> = z.output<S>;
type Method = "GET" | "POST" | "PATCH" | "DELETE";
type Problem = { type?: string; detail?: string; errors?: Record<string, string[]> };

export type ClientOptions = {
  baseUrl: string;
  token: string;
  /** The team's slug; by default the one team the token acts in (asked once). */
  team?: string;
  fetch?: typeof fetch;
};

export function createClient(opts: ClientOptions) {
  const fetchImpl = opts.fetch ?? fetch;
  const api = new URL("/api/v1", opts.baseUrl).href;

  async function request<T>(method: Method, path: string, body?: unknown): Promise<ActionResult<T>> {
    const res = await fetchImpl(api + path, {
      method,
      headers: { authorization: `Bearer ${opts.token}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (res.ok) return { ok: true, data: (await res.json()) as T };
    const problem = (await res.json().catch(() => ({}))) as Problem;
    const code = (problem.type?.replace("urn:dockyard:problem:", "") ?? "internal") as Extract<ActionResult<T>, { ok: false }>["code"];
    return { ok: false, code, error: problem.detail ?? `HTTP ${res.status}`, fieldErrors: problem.errors };
  }

  let team: Promise<ActionResult<string>> | undefined;
  const teamSlug = () =>
    (team ??= opts.team
      ? Promise.resolve({ ok: true as const, data: opts.team })
      : request<Out<typeof responses.tokenResponse>>("GET", "/token").then((r) => (r.ok ? { ok: true as const, data: r.data.team } : r)));

  async function inTeam<T>(method: Method, path: string, body?: unknown): Promise<ActionResult<T>> {
    const slug = await teamSlug();
    if (!slug.ok) return slug;
    return request<T>(method, `/teams/${encodeURIComponent(slug.data)}${path}`, body);
  }

  const query = (input: Record<string, unknown>) => {
    const params = new URLSearchParams(Object.entries(input).flatMap(([k, v]) => (v === undefined ? [] : [[k, String(v)]])));
    return params.size > 0 ? `?${params}` : "";
  };
  const id = encodeURIComponent;

  return {
    registry: {
      list: (input: ListRegistriesInput = {}) => inTeam<Out<typeof responses.registryListResponse>>("GET", `/registries${query(input)}`),
      get: ({ registryId }: { registryId: string }) => inTeam<Out<typeof responses.registryResponse>>("GET", `/registries/${id(registryId)}`),
      create: (input: CreateRegistryInput) => inTeam<Out<typeof responses.registryCreatedResponse>>("POST", "/registries", input),
      update: ({ registryId, ...edit }: UpdateRegistryInput) => inTeam<Out<typeof responses.registryUpdatedResponse>>("PATCH", `/registries/${id(registryId)}`, edit),
      delete: ({ registryId }: DeleteRegistryInput) => inTeam<Out<typeof responses.registryDeletedResponse>>("DELETE", `/registries/${id(registryId)}`),
      test: ({ registryId, ...rest }: TestRegistryInput & { registryId: string }) => inTeam<Out<typeof responses.registryTestResponse>>("POST", `/registries/${id(registryId)}/test`, rest),
    },
    environment: {
      list: () => inTeam<Out<typeof responses.environmentListResponse>>("GET", "/environments"),
    },
    container: {
      list: ({ environmentId }: { environmentId: string }) => inTeam<Out<typeof responses.containerListResponse>>("GET", `/environments/${id(environmentId)}/containers`),
      deploy: ({ containerId }: { containerId: string }) => inTeam<Out<typeof responses.deploymentStartedResponse>>("POST", `/containers/${id(containerId)}/deploy`),
      status: ({ deploymentId }: { deploymentId: string }) => inTeam<Out<typeof responses.deploymentResponse>>("GET", `/deployments/${id(deploymentId)}`),
    },
  };
}
