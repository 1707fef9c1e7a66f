import "server-only";
import { and, eq, inArray, isNotNull, lte, or, isNull, sql } from "drizzle-orm";
import { db, dbHandle } from "@/db";
import {
  auditEvents,
  containers,
  environmentWatch,
  environments,
  pullHealth,
  pullSecrets,
  registries,
  type Container,
  type Environment,
  type PullFailure,
  type PullSecret,
  type Registry,
} from "@/db/schema";
import { readEnvironmentWorkloads, refreshPullSecret, refreshSwarmService, secretsOf, type DeployTarget } from "@/lib/deploy";
import { DockerError } from "@/lib/deploy/docker";
import { EcrError } from "@/lib/deploy/ecr";
import { env } from "@/lib/env";
import { startPeriodicJob } from "@/lib/jobs";
import { readDeployment, readPullSecret, referencesPullSecret, restorePullSecretReference, secretDrift, type SecretDrift } from "@/lib/deploy/drift";
import { kubeClients, KubeError, type KubeClients } from "@/lib/deploy/kubernetes";
import { namespaceOf, pullSecretName } from "@/lib/deploy/manifests";
import { redactor } from "@/lib/deploy/redact";
import { targetOf } from "@/lib/environments/service";
import { errorForLog, logger } from "@/lib/logger";
import { pullCredentialsFor } from "./credentials";
import { reapAbandonedDeployments } from "./deployments";
import { pool } from "./refresh";
import type { ContainerDeps } from "./service";

/**
 * The watcher: every WATCH_INTERVAL_SECONDS (2 minutes), for each environment running containers
 * from a private registry, it reads from the orchestrator whether their pods could pull (pull
 * health), and puts back what was changed by hand (drift): a pull secret deleted or edited, a
 * workload's imagePullSecrets reference removed, a Swarm service holding older credentials. One run
 * per interval across all dashboard instances (lib/jobs.ts, and an advisory lock); environments
 * that do not answer back off.
 */

/** How often each environment is read: the job's interval, so every run finds the environments that answered last time due. */
const watchIntervalMs = () => env().watchIntervalSeconds * 1000;
const MAX_BACKOFF_MS = 60 * 60_000;
const LOCK_KEY = 0x646b7977; // "dkyw"

export type WatchRun = { ran: boolean; environments: number; failing: number; repaired: number; unreachable: number };

type Place = { registry: Registry; place: PullSecret };

const DRIFT_WORDS: Record<Exclude<SecretDrift, "ok">, string> = {
  missing: "pull secret deleted outside the dashboard",
  edited: "pull secret edited outside the dashboard",
  older_version: "pull secret replaced with older credentials outside the dashboard",
};

async function audit(registry: Registry, action: string, details: Record<string, unknown>) {
  await db().insert(auditEvents).values({ teamId: registry.teamId, registryId: registry.id, action, details });
}

/** Restores a drifted pull secret with the registry's current credentials; returns whether it did. */
async function repairSecret(k: KubeClients, target: Extract<DeployTarget, { orchestrator: "kubernetes" }>, env: Environment, { registry, place }: Place, deps: ContainerDeps): Promise<boolean> {
  const namespace = namespaceOf(env.slug);
  const drift = secretDrift(await readPullSecret(k, namespace, place.secretName), place.credentialVersion);
  if (drift === "ok") return false;
  const credentials = await pullCredentialsFor(registry, deps);
  if (!credentials) return false;
  const registryRef = { id: registry.id, type: registry.type, name: registry.name, credentialVersion: registry.credentialVersion };
  await refreshPullSecret(target, { environment: env, registry: registryRef, credentials }, { ...deps, kube: () => k });
  await db()
    .update(pullSecrets)
    .set({ credentialVersion: registry.credentialVersion, expiresAt: credentials.expiresAt ?? null, updatedAt: new Date() })
    .where(and(eq(pullSecrets.registryId, registry.id), eq(pullSecrets.environmentId, env.id), eq(pullSecrets.secretName, place.secretName)));
  const at = new Date().toISOString();
  await audit(registry, "registry.drift_repaired", { environment: env.name, namespace, what: DRIFT_WORDS[drift], restoredAt: at, credentialVersion: registry.credentialVersion });
  return true;
}

/** Puts a removed imagePullSecrets reference back on a managed workload. */
async function repairReference(k: KubeClients, env: Environment, container: Container, registry: Registry): Promise<boolean> {
  const namespace = namespaceOf(env.slug);
  const deployment = await readDeployment(k, namespace, container.name);
  const secretName = pullSecretName(registry);
  if (!deployment || referencesPullSecret(deployment, secretName)) return false;
  await restorePullSecretReference(k, deployment, secretName);
  await audit(registry, "registry.drift_repaired", {
    environment: env.name,
    namespace,
    what: `imagePullSecrets reference removed from ${container.name} outside the dashboard`,
    restoredAt: new Date().toISOString(),
  });
  return true;
}

/** A Swarm service deployed with older credentials than the registry's: a fresh login and update. */
async function repairSwarm(target: Extract<DeployTarget, { docker: unknown }>, env: Environment, { registry, place }: Place, deps: ContainerDeps): Promise<boolean> {
  if (place.credentialVersion >= registry.credentialVersion) return false;
  const credentials = await pullCredentialsFor(registry, deps);
  if (!credentials) return false;
  await refreshSwarmService(target, { name: place.secretName, loginServer: place.namespace }, credentials, deps);
  await db()
    .update(pullSecrets)
    .set({ credentialVersion: registry.credentialVersion, expiresAt: credentials.expiresAt ?? null, updatedAt: new Date() })
    .where(and(eq(pullSecrets.registryId, registry.id), eq(pullSecrets.environmentId, env.id), eq(pullSecrets.secretName, place.secretName)));
  await audit(registry, "registry.drift_repaired", {
    environment: env.name,
    what: `Swarm service ${place.secretName} held credentials v${place.credentialVersion}; updated to v${registry.credentialVersion}`,
    restoredAt: new Date().toISOString(),
  });
  return true;
}

/** Records one registry's pull health in one environment, keeping `since` while the status holds. */
type ContainerPullState = { container: string; pullFailure?: PullFailure };

async function recordHealth(env: Environment, registry: Registry, states: ContainerPullState[]) {
  const failing = states.filter((s) => s.pullFailure);
  const status = failing.length > 0 ? "failing" : "ok";
  const failure: PullFailure | null = failing[0]?.pullFailure ?? null;
  const values = {
    status,
    failure,
    failingContainers: failing.map((s) => s.container),
    okContainers: states.length - failing.length,
    credentialVersion: registry.credentialVersion,
    checkedAt: new Date(),
  };
  await db()
    .insert(pullHealth)
    .values({ registryId: registry.id, environmentId: env.id, teamId: env.teamId, since: new Date(), ...values })
    .onConflictDoUpdate({
      target: [pullHealth.registryId, pullHealth.environmentId],
      set: { ...values, since: sql`case when ${pullHealth.status} = ${status} then ${pullHealth.since} else now() end` },
    });
  return failing.length;
}

type EnvironmentWork = { env: Environment; containers: Container[]; registries: Map<string, Registry>; places: Place[] };

/** Reads, repairs and records one environment. Throws when the orchestrator does not answer. */
async function watchEnvironment(work: EnvironmentWork, deps: ContainerDeps): Promise<{ failing: number; repaired: number }> {
  const { env } = work;
  const target = targetOf(env);
  let repaired = 0;
  let readDeps = deps;
  if (target.orchestrator === "kubernetes") {
    const k = (deps.kube ?? ((src) => kubeClients(src, { policy: deps.policy })))(target.kube);
    readDeps = { ...deps, kube: () => k };
    for (const p of work.places) if (p.place.orchestrator === "kubernetes" && (await repairSecret(k, target, env, p, deps))) repaired++;
    for (const c of work.containers) {
      const registry = work.registries.get(c.registryId ?? "");
      if (!registry || !work.places.some((p) => p.registry.id === registry.id && p.place.orchestrator === "kubernetes")) continue;
      if (await repairReference(k, env, c, registry)) repaired++;
    }
  } else if (target.orchestrator === "swarm") {
    for (const p of work.places) if (p.place.orchestrator === "swarm" && (await repairSwarm(target, env, p, deps))) repaired++;
  }
  // What the orchestrator says of each container: pull failures come back redacted of the
  // environment's own secrets (a kubeconfig, an SSH key), which an error could echo.
  const read = await readEnvironmentWorkloads(target, env, work.containers, readDeps, redactor(secretsOf(target, null)));
  const states = new Map<string, ContainerPullState[]>();
  for (const c of work.containers) {
    const state = read.get(c.id);
    if (!c.registryId || !state?.exists) continue; // never deployed, or removed: nothing pulls
    states.set(c.registryId, [...(states.get(c.registryId) ?? []), { container: c.name, pullFailure: state.pullFailure }]);
  }
  let failing = 0;
  for (const [registryId, list] of states) failing += await recordHealth(env, work.registries.get(registryId)!, list);
  return { failing, repaired };
}

/** Environments due now that run containers from a private registry, with what they hold. */
async function dueWork(now: Date): Promise<EnvironmentWork[]> {
  const rows = await db()
    .select({ env: environments, container: containers, registry: registries })
    .from(containers)
    .innerJoin(environments, eq(environments.id, containers.environmentId))
    .innerJoin(registries, eq(registries.id, containers.registryId))
    .leftJoin(environmentWatch, eq(environmentWatch.environmentId, environments.id))
    .where(and(isNotNull(containers.registryId), sql`${registries.type} <> 'Public'`, or(isNull(environmentWatch.nextAt), lte(environmentWatch.nextAt, now))));
  const byEnv = new Map<string, EnvironmentWork>();
  for (const { env, container, registry } of rows) {
    const work: EnvironmentWork = byEnv.get(env.id) ?? { env, containers: [], registries: new Map(), places: [] };
    work.containers.push(container);
    work.registries.set(registry.id, registry);
    byEnv.set(env.id, work);
  }
  if (byEnv.size === 0) return [];
  const places = await db().select().from(pullSecrets).where(inArray(pullSecrets.environmentId, [...byEnv.keys()]));
  for (const place of places) {
    const work = byEnv.get(place.environmentId)!;
    const registry = work.registries.get(place.registryId);
    if (registry) work.places.push({ registry, place });
  }
  return [...byEnv.values()];
}

async function schedule(environmentId: string, outcome: { ok: true } | { ok: false; error: string }, now: Date) {
  const [prev] = await db().select().from(environmentWatch).where(eq(environmentWatch.environmentId, environmentId));
  const failures = outcome.ok ? 0 : (prev?.failures ?? 0) + 1;
  // Due again by the next run, which another instance may start a few milliseconds before a full
  // interval has passed on this one's clock; never twice in one run.
  const delay = outcome.ok ? watchIntervalMs() / 2 : Math.min(watchIntervalMs() * 2 ** failures, MAX_BACKOFF_MS);
  const values = { failures, nextAt: new Date(now.getTime() + delay), lastError: outcome.ok ? null : outcome.error, checkedAt: now };
  await db().insert(environmentWatch).values({ environmentId, ...values }).onConflictDoUpdate({ target: environmentWatch.environmentId, set: values });
}

export async function watchPullHealth(deps: ContainerDeps & { now?: Date; concurrency?: number } = {}): Promise<WatchRun> {
  const run = await dbHandle().exclusively(LOCK_KEY, async () => {
    const now = deps.now ?? new Date();
    const due = await dueWork(now);
    const totals: WatchRun = { ran: true, environments: due.length, failing: 0, repaired: 0, unreachable: 0 };
    await pool(due, deps.concurrency ?? 10, async (work) => {
      try {
        const { failing, repaired } = await watchEnvironment(work, deps);
        totals.failing += failing;
        totals.repaired += repaired;
        await schedule(work.env.id, { ok: true }, now);
      } catch (err) {
        totals.unreachable++;
        const known = err instanceof KubeError || err instanceof DockerError || err instanceof EcrError;
        if (!known) logger.error({ environmentId: work.env.id, ...errorForLog(err) }, "pull health watch failed unexpectedly");
        await schedule(work.env.id, { ok: false, error: known ? err.message : "unexpected error; see the server log" }, now);
      }
    });
    return totals;
  });
  return run ?? { ran: false, environments: 0, failing: 0, repaired: 0, unreachable: 0 };
}

/** Started once per server process; every instance ticks, one runs each interval (lib/jobs.ts). */
export function startPullHealthWatcher() {
  startPeriodicJob({
    name: "pull-health-watch",
    intervalMs: watchIntervalMs(),
    // Each run also reaps deploys whose server stopped mid-run, so none stays "running" forever.
    run: async () => {
      const reaped = await reapAbandonedDeployments();
      if (reaped > 0) logger.warn({ reaped }, "deploys whose server stopped were marked failed");
      return { ...(await watchPullHealth()), reaped };
    },
  });
}
