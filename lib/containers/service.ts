import "server-only";
import { and, asc, desc, eq, inArray, or } from "drizzle-orm";
import { db } from "@/db";
import {
  auditEvents,
  containers,
  deployments,
  pullSecrets,
  registries,
  users,
  type Container,
  type DeploymentAction,
  type DeploymentStep,
  type Environment,
  type PullFailure,
  type Registry,
  type RolloutState,
} from "@/db/schema";
import { isForeignKeyViolation, isUniqueViolation } from "@/db/errors";
import { newId } from "@/lib/ids";
import { SafeError, fieldError, notFound } from "@/lib/errors";
import { errorForLog, logger } from "@/lib/logger";
import { previewDeploy, removeWorkload, secretsOf, type DeployDeps, type DeploySpec, type PreviewPart } from "@/lib/deploy";
import { DockerError, swarmServiceName } from "@/lib/deploy/docker";
import { EcrError } from "@/lib/deploy/ecr";
import { KubeError } from "@/lib/deploy/kubernetes";
import { namespaceOf } from "@/lib/deploy/manifests";
import { pullFailureLabel, pullFailureWords } from "@/lib/deploy/pull-failure";
import { redactor } from "@/lib/deploy/redact";
import { imageBelongsTo, imageNameOn, mismatchMessage, parseImage } from "@/lib/registries/image-ref";
import { defaultImageHostOf, imageHostsOf, isAnonymous, typeDef, type RegistryType } from "@/lib/registries/catalog";
import { loadEnvironment, targetOf } from "@/lib/environments/service";
import { previewCredentialsFor, type CredentialDeps } from "./credentials";
import type { ContainerValues } from "./schemas";

type TeamRef = { id: string };
type Actor = { id: string };
export type ContainerDeps = DeployDeps & CredentialDeps;

/** A pull failure as the container page shows it: a label, what to do, and the orchestrator's (redacted) text. */
export type PullFailureView = { label: string; words: string; message: string; image?: string; since?: string };

export function pullFailureView(failure: PullFailure | null | undefined): PullFailureView | null {
  if (!failure) return null;
  return { label: pullFailureLabel(failure.reason), words: pullFailureWords(failure.reason), message: failure.message, image: failure.image, since: failure.since };
}

export type DeploymentView = {
  id: string;
  action: DeploymentAction;
  image: string;
  registryName: string | null;
  credentialVersion: number | null;
  replicas: number;
  status: "running" | "succeeded" | "failed";
  failedStep: string | null;
  message: string | null;
  log: string;
  steps: DeploymentStep[];
  /** `rolled_out`, `pull_failed`, `rollout_timeout` or `failed`; null while running. */
  outcome: string | null;
  pullFailure: PullFailureView | null;
  rollout: RolloutState | null;
  actor: string | null;
  startedAt: Date;
  finishedAt: Date | null;
};

export type ContainerView = {
  id: string;
  name: string;
  environment: { id: string; name: string; slug: string; namespace: string; orchestrator: Environment["orchestrator"] };
  registry: { id: string; name: string; type: string; typeLabel: string; credentialVersion: number } | null;
  imageName: string;
  imageTag: string;
  image: string;
  replicas: number;
  port: number | null;
  createdBy: string | null;
  createdAt: Date;
  deployments: DeploymentView[];
  /** The registry's credentials changed after the last successful pull with them. */
  credentialsRotatedSinceDeploy: boolean;
};

// ── Reading ───────────────────────────────────────────────────────────────────

export async function loadContainer(teamId: string, containerId: string): Promise<Container> {
  const [row] = await db()
    .select()
    .from(containers)
    .where(and(eq(containers.id, containerId), eq(containers.teamId, teamId)));
  if (!row) throw notFound("Container");
  return row;
}

export async function loadRegistryRow(teamId: string, registryId: string | null): Promise<Registry | null> {
  if (!registryId) return null;
  const [row] = await db()
    .select()
    .from(registries)
    .where(and(eq(registries.id, registryId), eq(registries.teamId, teamId)));
  return row ?? null;
}

export async function listContainers(teamId: string, environmentId: string) {
  return db()
    .select({
      id: containers.id,
      name: containers.name,
      imageName: containers.imageName,
      imageTag: containers.imageTag,
      replicas: containers.replicas,
      registryName: registries.name,
      registryType: registries.type,
    })
    .from(containers)
    .leftJoin(registries, eq(registries.id, containers.registryId))
    .where(and(eq(containers.teamId, teamId), eq(containers.environmentId, environmentId)))
    .orderBy(asc(containers.name));
}

export async function getContainer(teamId: string, containerId: string): Promise<ContainerView> {
  const row = await loadContainer(teamId, containerId);
  const env = await loadEnvironment(teamId, row.environmentId);
  const reg = await loadRegistryRow(teamId, row.registryId);
  const history = await db()
    .select({ d: deployments, actor: users.name })
    .from(deployments)
    .leftJoin(users, eq(users.id, deployments.actorId))
    .where(and(eq(deployments.containerId, row.id), eq(deployments.teamId, teamId)))
    .orderBy(desc(deployments.startedAt))
    .limit(50);
  const parsed = parseImage(row.imageName, row.imageTag);
  const lastGood = history.find((h) => h.d.status === "succeeded" && h.d.registryId === row.registryId);
  return {
    id: row.id,
    name: row.name,
    environment: { id: env.id, name: env.name, slug: env.slug, namespace: namespaceOf(env.slug), orchestrator: env.orchestrator },
    registry: reg ? { id: reg.id, name: reg.name, type: reg.type, typeLabel: typeDef(reg.type as RegistryType).label, credentialVersion: reg.credentialVersion } : null,
    imageName: row.imageName,
    imageTag: row.imageTag,
    image: parsed.ok ? parsed.ref.full : `${row.imageName}:${row.imageTag}`,
    replicas: row.replicas,
    port: row.port,
    createdBy: row.createdBy,
    createdAt: row.createdAt,
    deployments: history.map(({ d, actor }) => ({
      id: d.id,
      action: d.action,
      image: d.image,
      registryName: d.registryName,
      credentialVersion: d.credentialVersion,
      replicas: d.replicas,
      status: d.status,
      failedStep: d.failedStep,
      message: d.message,
      log: d.log,
      steps: d.steps,
      outcome: d.outcome,
      pullFailure: pullFailureView(d.pullFailure),
      rollout: d.rollout,
      actor,
      startedAt: d.startedAt,
      finishedAt: d.finishedAt,
    })),
    credentialsRotatedSinceDeploy: !!(reg && lastGood && (lastGood.d.credentialVersion ?? 0) < reg.credentialVersion),
  };
}

// ── Writing ───────────────────────────────────────────────────────────────────

/**
 * The image name to save: a path without a host is on the chosen registry's host. The image must
 * live on the registry's server, or it would be pulled without its credentials.
 */
function imageNameFor(reg: Registry | null, values: Pick<ContainerValues, "imageName" | "imageTag">): string {
  const imageName = reg ? imageNameOn(values.imageName, defaultImageHostOf(reg.type as RegistryType, reg.visibleFields)) : values.imageName.trim();
  const parsed = parseImage(imageName, values.imageTag);
  if (!parsed.ok) throw fieldError(parsed.field, parsed.message);
  if (reg) {
    const hosts = imageHostsOf(reg.type as RegistryType, reg.visibleFields);
    if (!imageBelongsTo(parsed.ref, hosts)) throw fieldError("imageName", mismatchMessage(parsed.ref, reg.name, hosts));
  }
  return imageName;
}

async function registryFor(teamId: string, registryId: string): Promise<Registry | null> {
  if (!registryId) return null;
  const reg = await loadRegistryRow(teamId, registryId);
  if (!reg) throw fieldError("registryId", "This registry does not exist in the team (it may have been deleted)");
  return reg;
}

function nameTaken(name: string) {
  return fieldError("name", `A container named "${name}" already exists in this environment`);
}

export async function createContainer(team: TeamRef, actor: Actor, input: ContainerValues) {
  const env = await loadEnvironment(team.id, input.environmentId);
  const reg = await registryFor(team.id, input.registryId);
  const imageName = imageNameFor(reg, input);
  const id = newId("ctr");
  try {
    await db().transaction(async (tx) => {
      await tx.insert(containers).values({
        id,
        teamId: team.id,
        environmentId: env.id,
        name: input.name,
        sourceType: "registry",
        registryId: reg?.id ?? null,
        imageName,
        imageTag: input.imageTag.trim(),
        replicas: input.replicas,
        port: input.port,
        createdBy: actor.id,
      });
      await tx.insert(auditEvents).values({ teamId: team.id, containerId: id, registryId: reg?.id, actorId: actor.id, action: "container.created", details: { name: input.name, environment: env.name } });
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw nameTaken(input.name);
    // The registry was deleted between our read and the insert.
    if (isForeignKeyViolation(err)) throw fieldError("registryId", "This registry was just deleted; choose another");
    throw err;
  }
  return { containerId: id };
}

export async function updateContainer(team: TeamRef, actor: Actor, input: Omit<ContainerValues, "environmentId" | "name"> & { containerId: string }) {
  const row = await loadContainer(team.id, input.containerId);
  const reg = await registryFor(team.id, input.registryId);
  const imageName = imageNameFor(reg, input);
  try {
    await db()
      .update(containers)
      .set({ registryId: reg?.id ?? null, imageName, imageTag: input.imageTag.trim(), replicas: input.replicas, port: input.port, updatedAt: new Date() })
      .where(and(eq(containers.id, row.id), eq(containers.teamId, team.id)));
    if ((reg?.id ?? null) !== row.registryId) {
      // The Swarm service no longer holds the old registry's token: the refresh job must not renew it there.
      const env = await loadEnvironment(team.id, row.environmentId);
      await db()
        .delete(pullSecrets)
        .where(and(eq(pullSecrets.environmentId, env.id), eq(pullSecrets.orchestrator, "swarm"), eq(pullSecrets.secretName, swarmServiceName({ environmentSlug: env.slug, container: row }))));
    }
  } catch (err) {
    if (isForeignKeyViolation(err)) throw fieldError("registryId", "This registry was just deleted; choose another");
    throw err;
  }
  await db().insert(auditEvents).values({ teamId: team.id, containerId: row.id, registryId: reg?.id, actorId: actor.id, action: "container.updated", details: {} });
  return { containerId: row.id };
}

/** Deletes `row`, which the caller may delete (the action's rule), after removing its workload. */
export async function deleteContainer(team: TeamRef, actor: Actor, row: Container, deps: ContainerDeps = {}) {
  const env = await loadEnvironment(team.id, row.environmentId);
  const [deployed] = await db()
    .select({ id: deployments.id })
    .from(deployments)
    .where(and(eq(deployments.containerId, row.id), workloadWritten))
    .limit(1);
  if (deployed) {
    const target = targetOf(env);
    try {
      await removeWorkload(target, { environment: env, container: row }, deps, () => {});
    } catch (err) {
      throw new SafeError("conflict", `Could not remove the workload, so the container was kept: ${safeMessage(err, secretsOf(target, null))}`);
    }
  }
  await db().transaction(async (tx) => {
    await tx.delete(containers).where(and(eq(containers.id, row.id), eq(containers.teamId, team.id)));
    // A removed Swarm service holds no credentials to renew any more.
    await tx
      .delete(pullSecrets)
      .where(and(eq(pullSecrets.environmentId, env.id), eq(pullSecrets.orchestrator, "swarm"), eq(pullSecrets.secretName, swarmServiceName({ environmentSlug: env.slug, container: row }))));
    await tx.insert(auditEvents).values({ teamId: team.id, containerId: row.id, registryId: row.registryId, actorId: actor.id, action: "container.deleted", details: { name: row.name, environment: env.name } });
  });
  return { containerId: row.id };
}

// ── Deploy, scale, restart ────────────────────────────────────────────────────

/**
 * A deployment that got as far as writing the workload: it succeeded, or its rollout was then
 * waited for (whatever became of the pulls). Older rows have no outcome but say "succeeded".
 */
export const workloadWritten = or(eq(deployments.status, "succeeded"), inArray(deployments.outcome, ["rolled_out", "pull_failed", "rollout_timeout"]));

export class StepError extends Error {
  constructor(
    readonly step: string,
    message: string,
  ) {
    super(message);
  }
}

/** A user-facing message for a failed step; unexpected errors are logged and summarised. */
export function safeMessage(err: unknown, secrets: string[]): string {
  const redact = redactor(secrets);
  if (err instanceof KubeError || err instanceof DockerError || err instanceof EcrError || err instanceof StepError || err instanceof SafeError) return redact(err.message);
  logger.error({ ...errorForLog(err) }, "deploy step failed unexpectedly");
  return "An unexpected error stopped the deploy; the server log has the details.";
}

export function stepOf(err: unknown): string {
  if (err instanceof KubeError || err instanceof DockerError || err instanceof StepError) return err.step;
  if (err instanceof EcrError) return "registry credentials";
  return "deploy";
}

/** `reg` is the container's registry row as the caller loaded it (null when it has none or it is gone). */
export async function specFor(teamId: string, row: Container, action: DeploymentAction, reg: Registry | null) {
  const env = await loadEnvironment(teamId, row.environmentId);
  if (row.registryId && !reg) throw new StepError("registry", "The container's registry no longer exists");
  const parsed = parseImage(row.imageName, row.imageTag);
  if (!parsed.ok) throw new StepError("image", parsed.message);
  const isPublic = !reg || isAnonymous(reg.type as RegistryType);
  const spec: Omit<DeploySpec, "credentials"> = {
    action,
    environment: { id: env.id, slug: env.slug },
    container: { id: row.id, name: row.name, replicas: row.replicas, port: row.port, restartedAt: row.restartedAt },
    image: parsed.ref,
    registry: isPublic ? null : { id: reg.id, type: reg.type, name: reg.name, credentialVersion: reg.credentialVersion },
  };
  return { env, reg: isPublic ? null : reg, spec };
}

/** Exactly what the next deploy applies, secrets masked; neither AWS nor the cluster is called. */
export async function previewContainer(team: TeamRef, containerId: string): Promise<PreviewPart[]> {
  const row = await loadContainer(team.id, containerId);
  const { env, reg, spec } = await specFor(team.id, row, "deploy", await loadRegistryRow(team.id, row.registryId));
  const credentials = reg ? previewCredentialsFor(reg, spec.image.domain) : null;
  const [previous] = await db()
    .select({ id: deployments.id })
    .from(deployments)
    .where(and(eq(deployments.containerId, row.id), workloadWritten))
    .limit(1);
  return previewDeploy(targetOf(env), { ...spec, credentials }, { serviceExists: !!previous });
}
