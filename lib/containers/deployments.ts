import "server-only";
import { and, eq, lt } from "drizzle-orm";
import { db } from "@/db";
import { containers, deployments, pullSecrets, type Deployment, type DeploymentAction, type DeploymentStep, type PullFailure, type RolloutState } from "@/db/schema";
import { env as appEnv } from "@/lib/env";
import { SafeError, notFound } from "@/lib/errors";
import { newId } from "@/lib/ids";
import { instanceId } from "@/lib/instance";
import { metrics } from "@/lib/metrics";
import { requestId } from "@/lib/request-id";
import { errorForLog, logger } from "@/lib/logger";
import { applyDeploy, plannedSteps, secretsOf, type DeployResult } from "@/lib/deploy";
import { swarmServiceName } from "@/lib/deploy/docker";
import { loginServerFor } from "@/lib/deploy/docker-config";
import { namespaceOf, pullSecretName } from "@/lib/deploy/manifests";
import { pullFailureLabel } from "@/lib/deploy/pull-failure";
import { redactor } from "@/lib/deploy/redact";
import { imageHostsOf, isAnonymous, secretFieldNames, type RegistryType } from "@/lib/registries/catalog";
import { imageBelongsTo, mismatchMessage, parseImage } from "@/lib/registries/image-ref";
import { decryptCredentials } from "@/lib/registries/service";
import { loadEnvironment, targetOf } from "@/lib/environments/service";
import { pullCredentialsFor } from "./credentials";
import { loadContainer, loadRegistryRow, pullFailureView, safeMessage, specFor, StepError, stepOf, type ContainerDeps, type PullFailureView } from "./service";

/**
 * Deploy, scale and restart as background runs. The action records the deployment and returns
 * its id at once; the run goes on in this process, recording each step as it happens (the
 * container page polls them) and bumping a heartbeat, so that a run whose server died is reaped
 * instead of showing "running" for ever. Pull credentials are refreshed where the orchestrator
 * keeps them on every action, so rotated credentials take effect at exactly the next pull; after
 * writing the workload the run waits for the rollout and records how it ended.
 */

type TeamRef = { id: string };
type Actor = { id: string };

const HEARTBEAT_MS = 5_000;
/** A running deployment whose heartbeat is older than this has lost its server (DEPLOY_ABANDONED_AFTER_SECONDS, above three heartbeats). */
const abandonedAfterMs = () => appEnv().deployAbandonedAfterSeconds * 1000;

type Runs = { id: string; inFlight: Map<string, Promise<void>> };
const globalForRuns = globalThis as unknown as { __deploymentRuns?: Runs };

/** This process's runner id and its runs in flight. */
function runs(): Runs {
  globalForRuns.__deploymentRuns ??= { id: instanceId(), inFlight: new Map() };
  return globalForRuns.__deploymentRuns;
}

export type DeploymentOutcome = {
  deploymentId: string;
  status: "running" | "succeeded" | "failed";
  outcome: string | null;
  message: string;
  pullFailure: PullFailure | null;
};

const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** What a run that lost its server is recorded as. */
const abandoned = (message: string) => ({ status: "failed" as const, outcome: "failed", failedStep: "deploy", message, finishedAt: new Date() });

function countAbandoned(rows: { id: string; action: DeploymentAction }[], why: string) {
  for (const row of rows) {
    metrics().deploys.inc({ action: row.action, outcome: "abandoned" });
    logger.warn({ deploymentId: row.id, action: row.action, outcome: "abandoned", why }, "deploy finished");
  }
  return rows.length;
}

/** Marks runs whose heartbeat stopped as failed; `scope` limits it to one team's container. */
export async function reapAbandonedDeployments(opts: { scope?: { teamId: string; containerId: string }; now?: Date } = {}): Promise<number> {
  const cutoff = new Date((opts.now ?? new Date()).getTime() - abandonedAfterMs());
  const reaped = await db()
    .update(deployments)
    .set(abandoned("The server running this deploy stopped before it finished; deploy again."))
    .where(
      and(
        eq(deployments.status, "running"),
        lt(deployments.heartbeatAt, cutoff),
        ...(opts.scope ? [eq(deployments.teamId, opts.scope.teamId), eq(deployments.containerId, opts.scope.containerId)] : []),
      ),
    )
    .returning({ id: deployments.id, action: deployments.action });
  return countAbandoned(reaped, "heartbeat stopped");
}

/**
 * For shutdown: waits up to `timeoutMs` for this process's runs to finish. Those still going
 * are recorded as failed at once, rather than a minute later by another instance's reaper.
 */
export async function stopDeploymentRuns(timeoutMs: number): Promise<number> {
  const pending = [...runs().inFlight.values()];
  if (pending.length === 0) return 0;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([Promise.all(pending), new Promise((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
  clearTimeout(timer);
  if (runs().inFlight.size === 0) return 0;
  const stopped = await db()
    .update(deployments)
    .set(abandoned("The server running this deploy was shut down before it finished; deploy again."))
    .where(and(eq(deployments.runner, runs().id), eq(deployments.status, "running")))
    .returning({ id: deployments.id, action: deployments.action });
  return countAbandoned(stopped, "server shut down");
}

/**
 * Records a deploy, scale or restart and starts it in the background; one at a time per
 * container (a second one while the first runs is refused). Returns the deployment's id.
 */
export async function startDeployment(
  team: TeamRef,
  actor: Actor,
  input: { containerId: string; action: DeploymentAction; replicas?: number },
  deps: ContainerDeps = {},
): Promise<{ deploymentId: string }> {
  await reapAbandonedDeployments({ scope: { teamId: team.id, containerId: input.containerId } });
  let row = await loadContainer(team.id, input.containerId);
  const env = await loadEnvironment(team.id, row.environmentId);
  const registryAtStart = await loadRegistryRow(team.id, row.registryId);
  if (input.action === "scale" && input.replicas !== undefined) row = { ...row, replicas: input.replicas };
  if (input.action === "restart") row = { ...row, restartedAt: new Date() };
  const deploymentId = newId("dep");
  const parsed = parseImage(row.imageName, row.imageTag);
  await db().transaction(async (tx) => {
    // The container row is the lock: two starts for one container cannot both see "none running".
    await tx.select({ id: containers.id }).from(containers).where(and(eq(containers.id, row.id), eq(containers.teamId, team.id))).for("update");
    const [running] = await tx
      .select({ startedAt: deployments.startedAt })
      .from(deployments)
      .where(and(eq(deployments.containerId, row.id), eq(deployments.status, "running")))
      .limit(1);
    if (running) throw new SafeError("conflict", "A deploy of this container is still running; wait for it to finish.");
    if (input.action !== "deploy") {
      await tx
        .update(containers)
        .set({ replicas: row.replicas, restartedAt: row.restartedAt, updatedAt: new Date() })
        .where(and(eq(containers.id, row.id), eq(containers.teamId, team.id)));
    }
    await tx.insert(deployments).values({
      id: deploymentId,
      teamId: team.id,
      containerId: row.id,
      actorId: actor.id,
      action: input.action,
      image: parsed.ok ? parsed.ref.full : `${row.imageName}:${row.imageTag}`,
      registryId: row.registryId,
      registryName: registryAtStart?.name ?? null,
      credentialVersion: registryAtStart && !isAnonymous(registryAtStart.type as RegistryType) ? registryAtStart.credentialVersion : null,
      replicas: row.replicas,
      steps: plannedSteps(env.orchestrator).map((name) => ({ name, status: "pending" as const })),
      runner: runs().id,
      heartbeatAt: new Date(),
    });
  });
  // The request that started the run, on the run's own lines too: it goes on after the answer.
  const startedBy = await requestId();
  logger.info(
    { deploymentId, requestId: startedBy, teamId: team.id, userId: actor.id, containerId: row.id, action: input.action, orchestrator: env.orchestrator, registryId: row.registryId, runner: runs().id },
    "deploy started",
  );
  const run = execute({ deploymentId, requestId: startedBy, team, row, action: input.action, registryAtStart, env }, deps)
    // Only the final write can throw here (the database went away): the heartbeat stops, so the run is reaped.
    .catch((err: unknown) => logger.error({ deploymentId, ...errorForLog(err) }, "recording a deploy's end failed"))
    .finally(() => runs().inFlight.delete(deploymentId));
  runs().inFlight.set(deploymentId, run);
  return { deploymentId };
}

/**
 * Keeps `deployments.steps` current: writes go out one after another (never out of order), a
 * report that changes nothing writes nothing, and a failed write is logged, never fatal.
 */
function stepRecorder(deploymentId: string, teamId: string, names: string[]) {
  const started = performance.now();
  const steps: DeploymentStep[] = names.map((name) => ({ name, status: "pending" }));
  let chain = Promise.resolve();
  const save = () => {
    const snapshot = structuredClone(steps);
    chain = chain
      .then(async () => {
        await db()
          .update(deployments)
          .set({ steps: snapshot, heartbeatAt: new Date() })
          .where(and(eq(deployments.id, deploymentId), eq(deployments.teamId, teamId), eq(deployments.status, "running")));
      })
      .catch((err: unknown) => logger.error({ deploymentId, ...errorForLog(err) }, "recording a deploy step failed"));
  };
  return {
    step(name: string, status: DeploymentStep["status"], detail?: string) {
      let step = steps.find((s) => s.name === name);
      if (!step) steps.push((step = { name, status: "pending" }));
      if (step.status === status && step.detail === detail) return;
      Object.assign(step, { status, detail, at: new Date().toISOString() });
      if (detail === undefined) delete step.detail;
      // The step's detail is for the page (it may quote the orchestrator); the log gets its name and state.
      logger.debug({ deploymentId, step: name, status, elapsedMs: Math.round(performance.now() - started) }, "deploy step");
      save();
    },
    /** The step that was running when a failure was thrown, marked failed with its message. */
    fail(message: string) {
      const running = steps.find((s) => s.status === "running") ?? steps.find((s) => s.status === "pending");
      if (running) Object.assign(running, { status: "failed", detail: message, at: new Date().toISOString() });
    },
    steps: () => structuredClone(steps),
    flushed: () => chain,
  };
}

type RunContext = {
  deploymentId: string;
  requestId: string | undefined;
  team: TeamRef;
  row: Awaited<ReturnType<typeof loadContainer>>;
  action: DeploymentAction;
  registryAtStart: Awaited<ReturnType<typeof loadRegistryRow>>;
  env: Awaited<ReturnType<typeof loadEnvironment>>;
};

function messageFor(action: DeploymentAction, result: DeployResult, timeoutSeconds: string): string {
  const { rollout } = result;
  const ready = `${rollout.ready}/${rollout.desired} ready`;
  if (result.outcome === "rolled_out") return `${capitalise(action)} rolled out (${ready})`;
  if (result.outcome === "pull_failed") return `pull failed: ${pullFailureLabel(result.pullFailure!.reason)}`;
  return `The rollout did not finish ${timeoutSeconds} (${ready})`;
}

async function execute(ctx: RunContext, deps: ContainerDeps): Promise<void> {
  const { deploymentId, team, row, registryAtStart, env } = ctx;
  const started = performance.now();
  const recorder = stepRecorder(deploymentId, team.id, plannedSteps(env.orchestrator));
  const lines: string[] = [];
  const log = (line: string) => lines.push(`${new Date().toISOString()} ${line}`);
  const heartbeat = setInterval(() => {
    db()
      .update(deployments)
      .set({ heartbeatAt: new Date() })
      .where(and(eq(deployments.id, deploymentId), eq(deployments.runner, runs().id), eq(deployments.status, "running")))
      .catch((err: unknown) => logger.warn({ deploymentId, ...errorForLog(err) }, "deploy heartbeat failed"));
  }, HEARTBEAT_MS);
  heartbeat.unref();

  let secrets: string[] = [];
  let record: Partial<Deployment>;
  let recordPlace = async () => {};
  try {
    recorder.step("credentials", "running");
    // The same registry row the record names: the version recorded is the version pulled with.
    const { reg, spec } = await specFor(team.id, row, ctx.action, registryAtStart);
    const target = targetOf(env);
    secrets = secretsOf(target, null);
    if (reg) {
      const stored = decryptCredentials(reg);
      secrets.push(...secretFieldNames(reg.type as RegistryType).map((f) => stored[f] ?? ""));
      const hosts = imageHostsOf(reg.type as RegistryType, reg.visibleFields);
      if (!imageBelongsTo(spec.image, hosts)) throw new StepError("image", mismatchMessage(spec.image, reg.name, hosts));
    }
    const credentials = reg ? await pullCredentialsFor(reg, deps) : null;
    secrets = secretsOf(target, credentials).concat(secrets);
    if (reg && credentials) {
      const expiry = credentials.expiresAt ? `, token valid until ${credentials.expiresAt.toISOString()}` : "";
      log(`credentials: ${reg.name} (version ${reg.credentialVersion})${expiry}`);
      recorder.step("credentials", "done", `${reg.name}, credentials v${reg.credentialVersion}${expiry}`);
    } else {
      recorder.step("credentials", "done", "public image: none needed");
    }
    // Where the credentials will live: a Secret to refresh and clean up, or a Swarm service holding
    // a snapshot of them (renewed when an ECR token expires, updated when the watcher finds the
    // snapshot older than the registry's credential version). Recorded once the step that writes them
    // is done, also when the deploy fails later (the rollout), so nothing written is forgotten.
    const kept =
      reg && credentials && target.orchestrator === "kubernetes"
        ? { writtenBy: "pull secret", place: { orchestrator: "kubernetes", namespace: namespaceOf(env.slug), secretName: pullSecretName(reg) } }
        : reg && credentials && target.orchestrator === "swarm"
          ? // For a service, `namespace` holds the server the deploy logged in to (the image's own host).
            { writtenBy: "workload", place: { orchestrator: "swarm", namespace: loginServerFor(credentials, spec.image.domain), secretName: swarmServiceName({ environmentSlug: env.slug, container: row }) } }
          : undefined;
    if (reg && credentials && kept) {
      recordPlace = async () => {
        if (recorder.steps().find((s) => s.name === kept.writtenBy)?.status !== "done") return;
        const values = { ...kept.place, credentialVersion: reg.credentialVersion, expiresAt: credentials.expiresAt ?? null, updatedAt: new Date() };
        await db()
          .insert(pullSecrets)
          .values({ registryId: reg.id, environmentId: env.id, teamId: team.id, ...values })
          .onConflictDoUpdate({ target: [pullSecrets.registryId, pullSecrets.environmentId, pullSecrets.secretName], set: values });
      };
    }
    const result = await applyDeploy(target, { ...spec, credentials }, deps, { log, step: recorder.step });
    await recordPlace();
    const timeout = `within ${Math.round((deps.rolloutTimeoutMs ?? appEnv().deployRolloutTimeoutSeconds * 1000) / 1000)} s`;
    const succeeded = result.outcome === "rolled_out";
    record = {
      status: succeeded ? "succeeded" : "failed",
      outcome: result.outcome,
      pullFailure: result.pullFailure ?? null,
      rollout: result.rollout,
      message: messageFor(ctx.action, result, timeout),
      failedStep: succeeded ? null : recorder.steps().find((s) => s.status === "failed")?.name ?? "rollout",
    };
  } catch (err) {
    const message = safeMessage(err, secrets);
    log(`failed at ${stepOf(err)}: ${message}`);
    recorder.fail(message);
    record = { status: "failed", outcome: "failed", failedStep: stepOf(err), message };
    await recordPlace();
  } finally {
    clearInterval(heartbeat);
  }
  await recorder.flushed();
  const seconds = (performance.now() - started) / 1000;
  metrics().deploys.inc({ action: ctx.action, outcome: record.outcome ?? "failed" });
  metrics().deployDuration.observe({ action: ctx.action }, seconds);
  logger.info(
    { deploymentId, requestId: ctx.requestId, teamId: team.id, containerId: row.id, action: ctx.action, outcome: record.outcome, failedStep: record.failedStep ?? undefined, pullFailure: record.pullFailure?.reason, durationMs: Math.round(seconds * 1000) },
    "deploy finished",
  );
  const redact = redactor(secrets);
  await db()
    .update(deployments)
    .set({ ...record, steps: recorder.steps(), log: redact(lines.join("\n")), heartbeatAt: new Date(), finishedAt: new Date() })
    .where(and(eq(deployments.id, deploymentId), eq(deployments.teamId, team.id)));
}

const toOutcome = (row: Pick<Deployment, "id" | "status" | "outcome" | "message" | "pullFailure">): DeploymentOutcome => ({
  deploymentId: row.id,
  status: row.status,
  outcome: row.outcome,
  message: row.message ?? (row.status === "running" ? "Running" : ""),
  pullFailure: row.pullFailure,
});

/**
 * Resolves once the deployment has finished: at once for a run in this process, else by reading
 * its row until it is no longer running (another instance runs it, or it gets reaped).
 */
export async function waitForDeployment(teamId: string, deploymentId: string, opts: { timeoutMs?: number } = {}): Promise<DeploymentOutcome> {
  const deadline = Date.now() + (opts.timeoutMs ?? 10 * 60_000);
  await runs().inFlight.get(deploymentId);
  for (;;) {
    const [row] = await db()
      .select()
      .from(deployments)
      .where(and(eq(deployments.id, deploymentId), eq(deployments.teamId, teamId)));
    if (!row) throw notFound("Deployment");
    if (row.status !== "running" || Date.now() > deadline) return toOutcome(row);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Starts a deploy and waits for it: for scripts and tests that want the result in one call. */
export async function runDeployment(team: TeamRef, actor: Actor, input: { containerId: string; action: DeploymentAction; replicas?: number }, deps: ContainerDeps = {}) {
  const { deploymentId } = await startDeployment(team, actor, input, deps);
  return waitForDeployment(team.id, deploymentId);
}

export type DeploymentProgress = {
  id: string;
  containerId: string;
  action: DeploymentAction;
  status: "running" | "succeeded" | "failed";
  outcome: string | null;
  message: string | null;
  failedStep: string | null;
  steps: DeploymentStep[];
  pullFailure: PullFailureView | null;
  rollout: RolloutState | null;
  startedAt: string;
  finishedAt: string | null;
};

/**
 * A deployment's steps as the container page polls them (team-scoped: another team's is "not
 * found"). A run whose heartbeat stopped is reaped first, so the page never waits on a dead run.
 */
export async function deploymentProgress(teamId: string, deploymentId: string): Promise<DeploymentProgress> {
  const select = () =>
    db()
      .select()
      .from(deployments)
      .where(and(eq(deployments.id, deploymentId), eq(deployments.teamId, teamId)))
      .then((rows) => rows[0]);
  let row = await select();
  if (!row) throw notFound("Deployment");
  if (row.status === "running" && (await reapAbandonedDeployments({ scope: { teamId, containerId: row.containerId } })) > 0) row = (await select())!;
  return {
    id: row.id,
    containerId: row.containerId,
    action: row.action,
    status: row.status,
    outcome: row.outcome,
    message: row.message,
    failedStep: row.failedStep,
    steps: row.steps,
    pullFailure: pullFailureView(row.pullFailure),
    rollout: row.rollout,
    startedAt: row.startedAt.toISOString(),
    finishedAt: row.finishedAt?.toISOString() ?? null,
  };
}
