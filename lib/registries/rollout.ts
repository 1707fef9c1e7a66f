import "server-only";
import { and, eq, inArray, max, sql } from "drizzle-orm";
import { db } from "@/db";
import { auditEvents, containers, deployments, environments, pullSecrets, registries, type ApplyRecord, type Environment, type ProbeRecord, type Registry } from "@/db/schema";
import { refreshPullSecret, refreshSwarmService, secretsOf, type DeployDeps, type DeployTarget } from "@/lib/deploy";
import { DockerError, swarmServiceName } from "@/lib/deploy/docker";
import { loginServerFor, type PullCredentials } from "@/lib/deploy/docker-config";
import { EcrError } from "@/lib/deploy/ecr";
import { KubeError } from "@/lib/deploy/kubernetes";
import { namespaceOf, pullSecretName } from "@/lib/deploy/manifests";
import { redactor } from "@/lib/deploy/redact";
import { pool } from "@/lib/containers/refresh";
import { pullCredentialsFor, type CredentialDeps } from "@/lib/containers/credentials";
import { targetOf } from "@/lib/environments/service";
import { SafeError } from "@/lib/errors";
import { errorForLog, logger } from "@/lib/logger";
import { isAnonymous, type Credentials, type RegistryType } from "./catalog";
import { parseImage } from "./image-ref";
import { probeImages, probeLabel, type ImageProbe, type ProbeOptions } from "./pull-probe";
import { takeLiveCheck } from "@/lib/live-checks";
import { decryptCredentials, liveOptions, loadRow, mergeEdit } from "./service";

/**
 * Rolling a rotation out: "Apply to N environments now" rewrites the registry's credentials
 * wherever the platform keeps them (a Kubernetes Secret per environment, the registry auth of
 * each Swarm service), N at a time, recording progress on the registry row as it goes so the page
 * can poll it; then the pull probe proves the credentials against every image in use.
 */

export const APPLY_CONCURRENCY = 20;
/** An apply records no heartbeat: one that has not finished after this long is taken as abandoned (its server died). */
export const APPLY_ABANDONED_AFTER_MS = 15 * 60_000;

type Actor = { id: string };
type TeamRef = { id: string };

/** A Swarm service holding the registry's credentials, and the image host it logged in to. */
type SwarmService = { name: string; imageDomain: string; heldVersion: number | null };

/** One environment the registry's credentials live in, and the oldest credential version it holds there (null: never written). */
type Target = { environment: Environment; services: SwarmService[]; heldVersion: number | null };

const oldest = (versions: (number | null)[]) => (versions.some((v) => v === null) ? null : Math.min(...(versions as number[])));

/**
 * Every Kubernetes and Swarm environment whose containers use the registry, and every one the
 * platform wrote its credentials to; an environment that never got them (no deploy yet) holds
 * "never written". Compose logs in afresh at each deploy, so it holds nothing to rewrite.
 */
async function targetsOf(teamId: string, reg: Registry): Promise<{ targets: Target[]; composeEnvironments: number }> {
  const [using, written] = await Promise.all([
    db()
      .select({ container: containers, environment: environments })
      .from(containers)
      .innerJoin(environments, eq(environments.id, containers.environmentId))
      .where(and(eq(containers.registryId, reg.id), eq(containers.teamId, teamId))),
    db()
      .select({ place: pullSecrets, environment: environments })
      .from(pullSecrets)
      .innerJoin(environments, eq(environments.id, pullSecrets.environmentId))
      .where(and(eq(pullSecrets.registryId, reg.id), eq(pullSecrets.teamId, teamId))),
  ]);
  // A Swarm service deployed with static credentials has no pull_secrets row: its last
  // successful deploy with this registry says which version it holds.
  const swarmContainers = using.filter((u) => u.environment.orchestrator === "swarm").map((u) => u.container.id);
  const deployed = swarmContainers.length
    ? await db()
        .select({ containerId: deployments.containerId, version: max(deployments.credentialVersion) })
        .from(deployments)
        .where(and(eq(deployments.teamId, teamId), eq(deployments.registryId, reg.id), eq(deployments.status, "succeeded"), inArray(deployments.containerId, swarmContainers)))
        .groupBy(deployments.containerId)
    : [];
  const deployedVersion = new Map(deployed.map((d) => [d.containerId, d.version]));

  const byEnv = new Map<string, { environment: Environment; secretVersion?: number | null; services: Map<string, SwarmService> }>();
  const entry = (environment: Environment) => {
    let e = byEnv.get(environment.id);
    if (!e) byEnv.set(environment.id, (e = { environment, services: new Map() }));
    return e;
  };
  const compose = new Set<string>();
  for (const { container, environment } of using) {
    if (environment.orchestrator === "compose") compose.add(environment.id);
    else if (environment.orchestrator === "kubernetes") entry(environment).secretVersion ??= null;
    else {
      const name = swarmServiceName({ environmentSlug: environment.slug, container });
      const image = parseImage(container.imageName, container.imageTag);
      // A container's image was checked when it was saved; the host is what the login needs.
      const imageDomain = image.ok ? image.ref.domain : "docker.io";
      entry(environment).services.set(name, { name, imageDomain, heldVersion: deployedVersion.get(container.id) ?? null });
    }
  }
  for (const { place, environment } of written) {
    if (place.orchestrator === "kubernetes") {
      entry(environment).secretVersion = place.credentialVersion;
    } else {
      const services = entry(environment).services;
      const known = services.get(place.secretName);
      // For a service, `namespace` holds the server it logged in to (the image's host).
      const held = Math.max(place.credentialVersion, known?.heldVersion ?? 0);
      services.set(place.secretName, { name: place.secretName, imageDomain: known?.imageDomain ?? place.namespace, heldVersion: held });
    }
  }
  const targets = [...byEnv.values()].map(({ environment, secretVersion, services }) => ({
    environment,
    services: [...services.values()],
    heldVersion: environment.orchestrator === "kubernetes" ? (secretVersion ?? null) : oldest([...services.values()].map((s) => s.heldVersion)),
  }));
  targets.sort((a, b) => a.environment.name.localeCompare(b.environment.name));
  return { targets, composeEnvironments: compose.size };
}

/** A probed image as the page shows it: with the few words for its reason. */
export type ProbeLine = ProbeRecord["results"][number] & { label?: string };

const labelled = <T extends Pick<ProbeRecord, "results">>(probe: T): T & { results: ProbeLine[] } => ({
  ...probe,
  results: probe.results.map((r) => (r.ok || !r.reason ? r : { ...r, label: probeLabel(r.reason) })),
});

/** What the registry page shows of a rollout; no secret, nothing from upstream that was not already worded. */
export type RolloutView = {
  registryId: string;
  credentialVersion: number;
  /** Environments holding credentials to rewrite: the N of "Apply to N environments now". */
  total: number;
  /** Those holding an older version, or none yet. */
  stale: { name: string; heldVersion: number | null }[];
  composeEnvironments: number;
  imagesInUse: number;
  lastApply: ApplyRecord | null;
  lastProbe: (ProbeRecord & { results: ProbeLine[] }) | null;
  /** An apply is in progress (started, not finished, not abandoned). */
  running: boolean;
};

const isRunning = (a: ApplyRecord | null, now = Date.now()) => !!a && !a.finishedAt && Date.parse(a.at) > now - APPLY_ABANDONED_AFTER_MS;

async function imagesInUse(teamId: string, registryId: string) {
  return db()
    .selectDistinct({ imageName: containers.imageName, imageTag: containers.imageTag })
    .from(containers)
    .where(and(eq(containers.registryId, registryId), eq(containers.teamId, teamId)));
}

/** How many distinct images (name and tag) the registry's containers run: what the probe checks. */
export async function countImagesInUse(teamId: string, registryId: string) {
  return (await imagesInUse(teamId, registryId)).length;
}

/** Any member may see this, as they may see the registry. */
export async function rolloutOf(teamId: string, registryId: string): Promise<RolloutView> {
  const row = await loadRow(teamId, registryId);
  const [{ targets, composeEnvironments }, images] = await Promise.all([targetsOf(teamId, row), countImagesInUse(teamId, row.id)]);
  return {
    registryId: row.id,
    credentialVersion: row.credentialVersion,
    total: targets.length,
    stale: targets.filter((t) => t.heldVersion === null || t.heldVersion < row.credentialVersion).map((t) => ({ name: t.environment.name, heldVersion: t.heldVersion })),
    composeEnvironments,
    imagesInUse: images,
    lastApply: row.lastApply,
    lastProbe: row.lastProbe && labelled(row.lastProbe),
    running: isRunning(row.lastApply),
  };
}

export type ApplyDeps = DeployDeps & CredentialDeps & { concurrency?: number; probe?: ProbeOptions };

/**
 * Writes the record as it changes, one write at a time: changes made while a write is under way
 * are written together right after it, so the row never goes back to an older state.
 */
function progressWriter(save: () => Promise<void>) {
  let running: Promise<void> | null = null;
  let again = false;
  const loop = async () => {
    do {
      again = false;
      await save().catch((err) => logger.warn({ ...errorForLog(err) }, "apply progress not recorded"));
    } while (again);
    running = null;
  };
  return {
    touch() {
      if (running) again = true;
      else running = loop();
    },
    async flush() {
      while (running) await running;
      await save();
    },
  };
}

/** Rewrites the credentials in one environment: its Secret, or each Swarm service holding them. */
async function rewrite(target: Target, orchestrator: DeployTarget, reg: Registry, credentials: PullCredentials, deps: ApplyDeps) {
  const registry = { id: reg.id, type: reg.type, name: reg.name, credentialVersion: reg.credentialVersion };
  if (orchestrator.orchestrator === "kubernetes") {
    await refreshPullSecret(orchestrator, { environment: target.environment, registry, credentials }, deps);
    return [{ orchestrator: "kubernetes", namespace: namespaceOf(target.environment.slug), secretName: pullSecretName(reg) }];
  }
  const places = [];
  for (const service of target.services) {
    const loginServer = loginServerFor(credentials, service.imageDomain);
    await refreshSwarmService(orchestrator, { name: service.name, loginServer }, credentials, deps);
    places.push({ orchestrator: "swarm", namespace: loginServer, secretName: service.name });
  }
  return places;
}

function whereOf(target: Target) {
  const env = target.environment;
  return env.orchestrator === "kubernetes" ? `${env.name} (${namespaceOf(env.slug)})` : `${env.name} (Swarm ${target.services.map((s) => s.name).join(", ")})`;
}

/**
 * "Apply to N environments now": one apply per registry at a time (claimed on the row), every
 * environment rewritten with at most `concurrency` in flight, progress recorded as it goes,
 * then the pull probe; one audit event with the outcome. Who may update the registry may apply
 * (the action's rule).
 */
export async function applyRotation(team: TeamRef, actor: Actor, reg: Registry, deps: ApplyDeps = {}): Promise<{ apply: ApplyRecord; probe: ProbeRecord | null }> {
  if (isAnonymous(reg.type as RegistryType)) throw new SafeError("invalid", "A public registry has no credentials to apply");
  const { targets } = await targetsOf(team.id, reg);
  // `done` counts the environments rewritten, `failed` the others: progress is done + failed of total.
  const record: ApplyRecord = { at: new Date().toISOString(), credentialVersion: reg.credentialVersion, total: targets.length, done: 0, failed: [] };
  const abandonedBefore = new Date(Date.now() - APPLY_ABANDONED_AFTER_MS).toISOString();
  const claimed = await db()
    .update(registries)
    .set({ lastApply: record })
    .where(
      and(
        eq(registries.id, reg.id),
        eq(registries.teamId, team.id),
        sql`(${registries.lastApply} is null or ${registries.lastApply}->>'finishedAt' is not null or (${registries.lastApply}->>'at')::timestamptz < ${abandonedBefore}::timestamptz)`,
      ),
    )
    .returning({ id: registries.id });
  if (claimed.length === 0) {
    const current = (await loadRow(team.id, reg.id)).lastApply;
    const progress = current ? ` (${current.done + current.failed.length} of ${current.total} environments done)` : "";
    throw new SafeError("conflict", `An apply of this registry is already running${progress}: wait for it to finish`);
  }

  // Only this run's record is written: a newer run that took over an abandoned one keeps its own.
  const save = () =>
    db()
      .update(registries)
      .set({ lastApply: record })
      .where(and(eq(registries.id, reg.id), eq(registries.teamId, team.id), sql`${registries.lastApply}->>'at' = ${record.at}`))
      .then(() => undefined);
  const progress = progressWriter(save);
  let probe: ProbeRecord | null = null;
  try {
    let credentials: PullCredentials | null;
    try {
      credentials = await pullCredentialsFor(reg, deps);
    } catch (err) {
      if (!(err instanceof EcrError)) throw err;
      credentials = null;
      record.failed.push({ where: "token exchange", message: err.message });
    }
    if (credentials) {
      const written: { environmentId: string; orchestrator: string; namespace: string; secretName: string }[] = [];
      await pool(targets, deps.concurrency ?? APPLY_CONCURRENCY, async (target) => {
        const orchestrator = targetOf(target.environment);
        try {
          // Environments sharing a cluster share its clients: kubeClients keeps them per kubeconfig.
          const places = await rewrite(target, orchestrator, reg, credentials, deps);
          written.push(...places.map((p) => ({ environmentId: target.environment.id, ...p })));
          record.done++;
        } catch (err) {
          if (!(err instanceof KubeError) && !(err instanceof DockerError)) logger.error({ registryId: reg.id, environmentId: target.environment.id, ...errorForLog(err) }, "apply failed unexpectedly");
          // Whatever a tool or API server echoed, no credential or kubeconfig reaches the record. The
          // redactor is made here, for a failure only: it parses the kubeconfig for the secrets inside.
          const message = err instanceof KubeError || err instanceof DockerError ? redactor(secretsOf(orchestrator, credentials))(err.message) : "unexpected error; see the server log";
          record.failed.push({ where: whereOf(target), message });
        }
        progress.touch();
      });
      if (written.length > 0) {
        const now = new Date();
        await db()
          .insert(pullSecrets)
          .values(written.map((w) => ({ ...w, registryId: reg.id, teamId: team.id, credentialVersion: reg.credentialVersion, expiresAt: credentials.expiresAt ?? null, updatedAt: now })))
          .onConflictDoUpdate({
            target: [pullSecrets.registryId, pullSecrets.environmentId, pullSecrets.secretName],
            set: { namespace: sql`excluded.namespace`, credentialVersion: sql`excluded.credential_version`, expiresAt: sql`excluded.expires_at`, updatedAt: sql`excluded.updated_at` },
          });
      }
      probe = await probeStored(team, reg, deps.probe);
    }
  } finally {
    record.finishedAt = new Date().toISOString();
    await progress.flush();
  }
  await db()
    .insert(auditEvents)
    .values({
      teamId: team.id,
      registryId: reg.id,
      actorId: actor.id,
      action: "registry.applied",
      details: {
        credentialVersion: reg.credentialVersion,
        total: record.total,
        done: record.done,
        failed: record.failed.map((f) => f.where),
        ...(probe ? { probe: { passed: probe.passed, total: probe.total } } : {}),
      },
    });
  return { apply: record, probe };
}

function probeRecord(reg: Pick<Registry, "credentialVersion">, results: ImageProbe[]): ProbeRecord {
  return { at: new Date().toISOString(), credentialVersion: reg.credentialVersion, total: results.length, passed: results.filter((r) => r.ok).length, results };
}

/** Probes the saved credentials against every image in use and records the result on the registry. */
async function probeStored(team: TeamRef, reg: Registry, opts: ProbeOptions = {}): Promise<ProbeRecord> {
  const images = await imagesInUse(team.id, reg.id);
  const results = await probeImages(reg.type as RegistryType, decryptCredentials(reg), images, { ...liveOptions(), ...opts });
  const record = probeRecord(reg, results);
  await db().update(registries).set({ lastProbe: record }).where(and(eq(registries.id, reg.id), eq(registries.teamId, team.id)));
  return record;
}

export type ProbeInput = { credentials?: Credentials };
export type ProbeOutcome = { total: number; passed: number; results: ProbeLine[]; fieldErrors?: Record<string, string[]> };

/**
 * The pull probe on demand: of the saved credentials (any member; the result is recorded), or of
 * an edit of them merged onto the saved ones, before saving (only those who may update the
 * registry: the action's rule; nothing is recorded). Counts as a live check: it connects to the registry.
 */
export async function probeRegistry(team: TeamRef, actor: Actor, reg: Registry, input: ProbeInput, opts: ProbeOptions = {}): Promise<ProbeOutcome> {
  if (isAnonymous(reg.type as RegistryType)) return { total: 0, passed: 0, results: [] };
  if (!input.credentials) {
    await takeLiveCheck(actor.id);
    const { total, passed, results } = labelled(await probeStored(team, reg, opts));
    return { total, passed, results };
  }
  let merged: Credentials;
  try {
    merged = mergeEdit(reg, input.credentials);
  } catch (err) {
    if (err instanceof SafeError && err.fieldErrors) return { total: 0, passed: 0, results: [], fieldErrors: err.fieldErrors };
    throw err;
  }
  const images = await imagesInUse(team.id, reg.id);
  if (images.length === 0) return { total: 0, passed: 0, results: [] };
  await takeLiveCheck(actor.id);
  const { total, passed, results } = labelled(probeRecord(reg, await probeImages(reg.type as RegistryType, merged, images, { ...liveOptions(), ...opts })));
  return { total, passed, results };
}
