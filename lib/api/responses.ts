import { z } from "zod";
import { REGISTRY_TYPE_KEYS } from "@/lib/registries/catalog";

/**
 * What the API answers, as zod schemas: the OpenAPI document's response schemas come from these,
 * and the tests validate every answer against that document. Timestamps are ISO 8601 strings
 * (how a Date serialises). None of these has a field for a secret value: secrets are named
 * (`secretFields`), never shown.
 */

const timestamp = z.iso.datetime({ offset: true });
const fieldErrors = z.record(z.string(), z.array(z.string())).meta({ description: "Messages per field (`credentials.token`; `_form` for the whole input)" });

export const problemResponse = z
  .object({
    type: z.string().meta({ description: "`urn:dockyard:problem:<code>`" }),
    title: z.string(),
    status: z.int(),
    detail: z.string().meta({ description: "A sentence for the caller; never a stack or a secret" }),
    errors: fieldErrors.optional(),
  })
  .meta({ id: "Problem" });

const liveCheck = z.object({ status: z.string(), ok: z.boolean(), message: z.string(), host: z.string().optional(), expiresAt: z.string().optional() });
const testOutcome = z.object({ ok: z.boolean(), message: z.string(), fieldErrors: fieldErrors.optional(), live: liveCheck.optional() });
const failures = z.array(z.object({ where: z.string(), message: z.string() }));

export const registryResponse = z
  .object({
    id: z.string(),
    name: z.string(),
    type: z.enum(REGISTRY_TYPE_KEYS),
    typeLabel: z.string(),
    serverHost: z.string(),
    visibleFields: z.record(z.string(), z.string()).meta({ description: "The non-secret credential fields (username, region, URL…)" }),
    secretFields: z.array(z.string()).meta({ description: "Which secret fields are saved; their values never leave the server" }),
    credentialVersion: z.int().meta({ description: "Bumped by every change of a credential value (a rotation)" }),
    createdBy: z.object({ id: z.string(), name: z.string(), inTeam: z.boolean() }).nullable(),
    createdAt: timestamp,
    updatedAt: timestamp,
    lastTestAt: timestamp.nullable(),
    lastTest: testOutcome.nullable(),
    lastRefresh: z.object({ at: z.string(), ok: z.boolean(), refreshed: z.int(), failed: failures, expiresAt: z.string().nullable().optional() }).nullable(),
    containerCount: z.int(),
  })
  .meta({ id: "Registry" });

export const registryListResponse = z.object({ items: z.array(registryResponse), total: z.int(), page: z.int(), pageSize: z.int() });
export const registryCreatedResponse = z.object({ registryId: z.string() });
export const registryUpdatedResponse = z.object({
  registryId: z.string(),
  credentialVersion: z.int(),
  changed: z.array(z.string()).meta({ description: "The credential fields whose values changed; any of them bumps credentialVersion" }),
});
export const registryDeletedResponse = z.object({
  registryId: z.string(),
  removedFrom: z.array(z.string()).meta({ description: "Namespaces whose pull secret was removed" }),
  failedIn: z.array(z.object({ namespace: z.string(), message: z.string() })),
});
export const registryTestResponse = testOutcome.extend({
  testToken: z.string().optional().meta({ description: "For typed credentials of a new registry: pass it to create to keep this result" }),
});

export const environmentResponse = z
  .object({
    id: z.string(),
    name: z.string(),
    slug: z.string(),
    namespace: z.string(),
    orchestrator: z.enum(["kubernetes", "swarm", "compose"]),
    connection: z.record(z.string(), z.string()).meta({ description: "What may be shown of the connection (mode, Docker host, API server)" }),
    secretFields: z.array(z.string()),
    containerCount: z.int(),
    createdAt: timestamp,
  })
  .meta({ id: "Environment" });
export const environmentListResponse = z.array(environmentResponse);

export const containerListResponse = z.array(
  z
    .object({
      id: z.string(),
      name: z.string(),
      imageName: z.string(),
      imageTag: z.string(),
      replicas: z.int(),
      registryName: z.string().nullable(),
      registryType: z.string().nullable(),
    })
    .meta({ id: "ContainerSummary" }),
);

export const deploymentStartedResponse = z.object({ deploymentId: z.string().meta({ description: "Poll GET …/deployments/{deploymentId} for its steps" }) });

const pullFailure = z.object({ label: z.string(), words: z.string(), message: z.string(), image: z.string().optional(), since: z.string().optional() });
export const deploymentResponse = z
  .object({
    id: z.string(),
    containerId: z.string(),
    action: z.enum(["deploy", "scale", "restart"]),
    status: z.enum(["running", "succeeded", "failed"]),
    outcome: z.string().nullable().meta({ description: "`rolled_out`, `pull_failed`, `rollout_timeout` or `failed`; null while running" }),
    message: z.string().nullable(),
    failedStep: z.string().nullable(),
    steps: z.array(z.object({ name: z.string(), status: z.enum(["pending", "running", "done", "failed"]), detail: z.string().optional(), at: z.string().optional() })),
    pullFailure: pullFailure.nullable(),
    rollout: z
      .looseObject({ desired: z.int(), updated: z.int(), ready: z.int(), available: z.int(), observedCurrent: z.boolean() })
      .nullable()
      .meta({ description: "What the orchestrator reported of the workload" }),
    startedAt: timestamp,
    finishedAt: timestamp.nullable(),
  })
  .meta({ id: "Deployment" });

export const tokenResponse = z.object({
  id: z.string(),
  name: z.string(),
  team: z.string().meta({ description: "The slug of the one team the token acts in" }),
  role: z.enum(["owner", "admin", "member"]).meta({ description: "The token's role; the creator's current role caps it at every request" }),
  expiresAt: timestamp,
});
