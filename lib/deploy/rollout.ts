import "server-only";
import type { CoreV1Event, V1Deployment, V1LabelSelector, V1Pod, V1ReplicaSet } from "@kubernetes/client-node";
import type { PullFailure, RolloutState } from "@/db/schema";
import type { DockerSession } from "./docker";
import { readDeployment } from "./drift";
import { call, step, type KubeClients } from "./kubernetes";
import { classifyPullFailure, pullFailureOf } from "./pull-failure";

/**
 * What the orchestrator says became of a workload: rollout progress and whether its pods (Swarm
 * tasks, Compose containers) could pull. Read-only, no database: the deploy polls it until the
 * rollout is done, and the watcher reads it per environment. Upstream text reaches the result only
 * through the caller's redactor, capped.
 */

/** One pod, task or container, as the container page lists it. */
export type InstanceState = { name: string; ready: boolean; state: string; message?: string };

export type WorkloadState = RolloutState & {
  /** False when the workload is not there at all (never deployed, or deleted by hand). */
  exists: boolean;
  /** Every instance, of the current revision or an older one still running. */
  total: number;
  /** Pods on Kubernetes, tasks on Swarm, containers on Compose. */
  instances: InstanceState[];
};

export type Redact = (text: string) => string;

/** When a deploy wrote the workload, and the pods that were there just before. */
export type DeployWrite = { writtenAt: Date; podUids: ReadonlySet<string> };

/** The uids of a workload's pods right now: taken just before a deploy writes it. */
export async function podUidsOf(k: KubeClients, namespace: string, selector: V1LabelSelector | undefined): Promise<Set<string>> {
  const pods = await step(`read pods in ${namespace}`, () => k.core.listNamespacedPod({ namespace, labelSelector: selectorQuery(selector) }, call(k, ["PodList"])));
  return new Set(pods.items.map((p) => p.metadata?.uid ?? ""));
}

/** A rollout is done when the orchestrator saw the latest spec and every replica is current and available. */
export function isRolledOut(state: WorkloadState): boolean {
  return state.exists && state.observedCurrent && state.updated >= state.desired && state.available >= state.desired && state.total <= state.updated;
}

const INSTANCE_MESSAGE_CAP = 300;
const cappedLine = (text: string) => (text.length > INSTANCE_MESSAGE_CAP ? `${text.slice(0, INSTANCE_MESSAGE_CAP - 1)}…` : text);

// ── Kubernetes ────────────────────────────────────────────────────────────────

/** The waiting reasons kubelet gives a container whose image it could not get. */
const PULL_WAITING_REASONS = new Set(["ErrImagePull", "ImagePullBackOff", "InvalidImageName", "ErrImageNeverPull", "RegistryUnavailable"]);
const REVISION = "deployment.kubernetes.io/revision";
const TEMPLATE_HASH = "pod-template-hash";

/** A `labelSelector` query for a `metav1.LabelSelector`, the way kubectl writes one. */
export function selectorQuery(selector: V1LabelSelector | undefined): string {
  const terms = Object.entries(selector?.matchLabels ?? {}).map(([key, value]) => `${key}=${value}`);
  for (const e of selector?.matchExpressions ?? []) {
    if (e.operator === "In") terms.push(`${e.key} in (${(e.values ?? []).join(",")})`);
    else if (e.operator === "NotIn") terms.push(`${e.key} notin (${(e.values ?? []).join(",")})`);
    else if (e.operator === "Exists") terms.push(e.key);
    else if (e.operator === "DoesNotExist") terms.push(`!${e.key}`);
  }
  return terms.join(",");
}

/**
 * The ReplicaSet of the Deployment's current revision: owned by it and carrying its revision
 * annotation (the deployment controller stamps both). None until the controller has acted.
 */
function currentReplicaSet(deployment: V1Deployment, sets: V1ReplicaSet[]): V1ReplicaSet | undefined {
  const revision = deployment.metadata?.annotations?.[REVISION];
  if (!revision) return undefined;
  return sets.find(
    (rs) => rs.metadata?.annotations?.[REVISION] === revision && (rs.metadata?.ownerReferences ?? []).some((o) => o.controller && o.uid === deployment.metadata?.uid),
  );
}

const timeOf = (e: CoreV1Event) => e.lastTimestamp ?? (e.eventTime ? new Date(String(e.eventTime)) : undefined) ?? e.firstTimestamp ?? e.metadata?.creationTimestamp;

/**
 * The Deployment's status, its pods' container states and their pull-failure events, read in at
 * most five requests. `after` (a deploy's write, and the pods that were there before it) ignores
 * failures that say nothing of what the deploy wrote (a pod still backing off from before it),
 * so that a fixed Secret gets its chance at the next pull.
 */
export async function readWorkloadState(
  k: KubeClients,
  namespace: string,
  deploymentName: string,
  redact: Redact,
  opts: { after?: DeployWrite } = {},
): Promise<WorkloadState> {
  const at = new Date().toISOString();
  const deployment = await readDeployment(k, namespace, deploymentName);
  if (!deployment) return { exists: false, desired: 0, updated: 0, ready: 0, available: 0, observedCurrent: false, total: 0, instances: [], at };
  const status = deployment.status ?? {};
  const base = {
    exists: true,
    desired: deployment.spec?.replicas ?? 1,
    updated: status.updatedReplicas ?? 0,
    ready: status.readyReplicas ?? 0,
    available: status.availableReplicas ?? 0,
    total: status.replicas ?? 0,
    observedCurrent: (status.observedGeneration ?? 0) >= (deployment.metadata?.generation ?? 0),
    at,
  };
  const labelSelector = selectorQuery(deployment.spec?.selector);
  const [sets, pods] = await step(`read pods of ${namespace}/${deploymentName}`, () =>
    Promise.all([
      k.apps.listNamespacedReplicaSet({ namespace, labelSelector }, call(k, ["ReplicaSetList"])).then((l) => l.items),
      k.core.listNamespacedPod({ namespace, labelSelector }, call(k, ["PodList"])).then((l) => l.items),
    ]),
  );
  const current = currentReplicaSet(deployment, sets);
  const hash = current?.metadata?.labels?.[TEMPLATE_HASH];
  // Until the controller has made the current ReplicaSet, no pod is of the new revision.
  const ofCurrent = (pod: V1Pod) => !!hash && pod.metadata?.labels?.[TEMPLATE_HASH] === hash;
  const instances = pods.map((pod) => podInstance(pod, redact));

  const failing = pods.filter((pod) => ofCurrent(pod) && waitingForPull(pod));
  if (failing.length === 0) return { ...base, instances };
  const eventsWith = (reason: string) =>
    step(`read events in ${namespace}`, () => k.core.listNamespacedEvent({ namespace, fieldSelector: `involvedObject.kind=Pod,reason=${reason}` }, call(k, ["EventList"])).then((l) => l.items));
  // Pods from before the deploy need their pull's start too (below); new pods do not.
  const after = opts.after;
  const olderPods = !!after && failing.some((pod) => after.podUids.has(pod.metadata?.uid ?? ""));
  const [failed, pulling] = await Promise.all([eventsWith("Failed"), olderPods ? eventsWith("Pulling") : Promise.resolve([])]);
  const pullFailure = firstPullFailure(failing, failed, pulling, redact, after);
  return { ...base, instances, ...(pullFailure ? { pullFailure } : {}) };
}

function containerStatuses(pod: V1Pod) {
  return [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
}

function waitingForPull(pod: V1Pod) {
  return containerStatuses(pod).some((c) => PULL_WAITING_REASONS.has(c.state?.waiting?.reason ?? ""));
}

function podInstance(pod: V1Pod, redact: Redact): InstanceState {
  const statuses = containerStatuses(pod);
  const waiting = statuses.find((c) => c.state?.waiting)?.state?.waiting;
  const ready = (pod.status?.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True");
  const state = waiting?.reason ?? (pod.metadata?.deletionTimestamp ? "Terminating" : (pod.status?.phase ?? "Pending"));
  return { name: pod.metadata?.name ?? "", ready, state, ...(waiting?.message ? { message: cappedLine(redact(waiting.message)) } : {}) };
}

/**
 * The first current pod's pull failure. ImagePullBackOff only says "Back-off pulling image", so
 * the runtime's own error comes from the pod's latest `Failed to pull image …` event.
 *
 * With `after`, a pod from before the write counts only once a pull that started after it has
 * failed: kubelet reads the pull secret when a pull starts, so a pull in flight at the write, or
 * failed before it, says nothing of the Secret just written. Event times have second precision,
 * hence a later second.
 */
function firstPullFailure(pods: V1Pod[], failed: CoreV1Event[], pulling: CoreV1Event[], redact: Redact, after: DeployWrite | undefined): PullFailure | undefined {
  const sinceMs = after ? Math.floor(after.writtenAt.getTime() / 1000) * 1000 : 0;
  const latestFirst = (events: CoreV1Event[], pod: V1Pod, prefix: string) =>
    events
      .filter((e) => e.involvedObject?.name === pod.metadata?.name && e.involvedObject?.uid === pod.metadata?.uid && (e.message ?? "").startsWith(prefix))
      .sort((a, b) => (timeOf(b)?.getTime() ?? 0) - (timeOf(a)?.getTime() ?? 0));
  for (const pod of pods) {
    const pullEvents = latestFirst(failed, pod, "Failed to pull image");
    const latest = pullEvents[0];
    const pullStartedMs = timeOf(latestFirst(pulling, pod, "Pulling image")[0] ?? ({} as CoreV1Event))?.getTime() ?? 0;
    const fromBefore = !!after && after.podUids.has(pod.metadata?.uid ?? "");
    const recent = !fromBefore || (!!latest && pullStartedMs > sinceMs && (timeOf(latest)?.getTime() ?? 0) >= pullStartedMs);
    if (!recent) continue;
    const container = containerStatuses(pod).find((c) => PULL_WAITING_REASONS.has(c.state?.waiting?.reason ?? ""))!;
    const waiting = container.state!.waiting!;
    const raw = waiting.reason === "ImagePullBackOff" || waiting.reason === "ErrImagePull" ? (latest?.message ?? waiting.message ?? waiting.reason) : (waiting.message ?? waiting.reason!);
    const first = pullEvents.at(-1);
    const since = first ? (first.firstTimestamp ?? timeOf(first)) : undefined;
    return pullFailureOf(raw, redact, { image: container.image, ...(since ? { since: since.toISOString() } : {}) });
  }
  return undefined;
}

// ── Swarm ─────────────────────────────────────────────────────────────────────

type SwarmTask = { Name?: string; Image?: string; DesiredState?: string; CurrentState?: string; Error?: string };

function jsonLines<T>(text: string): T[] {
  return text
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean)
    .flatMap((line) => {
      try {
        const value: unknown = JSON.parse(line);
        return value && typeof value === "object" && !Array.isArray(value) ? [value as T] : [];
      } catch {
        return [];
      }
    });
}

const withoutDigest = (image: string | undefined) => (image ?? "").replace(/@sha256:[0-9a-f]{64}$/, "");

/** A task error is a pull failure when it names one; "No such image" is how Swarm reports a node's failed pull. */
const isPullError = (error: string) => /no such image/i.test(error) || classifyPullFailure(error) !== "other";

/**
 * A Swarm service's state: `service inspect` for the desired replicas, image and update state,
 * `service ps --no-trunc --format '{{json .}}'` for its tasks. Outside the table format the CLI
 * lists each slot's tasks newest first, without indenting older ones, and quotes the error.
 */
export async function readSwarmServiceState(session: DockerSession, serviceName: string, redact: Redact): Promise<WorkloadState> {
  const at = new Date().toISOString();
  const inspect = await session.run({ step: "docker service inspect", args: ["service", "inspect", "--format", "{{json .}}", serviceName] });
  const service = inspect.code === 0 ? jsonLines<{ Spec?: { Mode?: { Replicated?: { Replicas?: number } }; TaskTemplate?: { ContainerSpec?: { Image?: string } } }; UpdateStatus?: { State?: string } }>(inspect.stdout)[0] : undefined;
  if (!service) return { exists: false, desired: 0, updated: 0, ready: 0, available: 0, observedCurrent: false, total: 0, instances: [], at };
  const ps = await session.run({ step: "docker service ps", args: ["service", "ps", "--no-trunc", "--format", "{{json .}}", serviceName] });
  const tasks = ps.code === 0 ? jsonLines<SwarmTask>(ps.stdout) : [];
  const image = withoutDigest(service.Spec?.TaskTemplate?.ContainerSpec?.Image);

  const slots = new Map<string, SwarmTask[]>();
  for (const task of tasks) slots.set(task.Name ?? "", [...(slots.get(task.Name ?? "") ?? []), task]);
  const latest = [...slots.values()].map((history) => history[0]!).filter((t) => t.DesiredState !== "Shutdown");
  const running = (t: SwarmTask) => (t.CurrentState ?? "").startsWith("Running");
  const errorOf = (t: SwarmTask) => (t.Error ?? "").replace(/^"|"$/g, "");
  const current = latest.filter((t) => withoutDigest(t.Image) === image);
  const ready = latest.filter(running).length;

  // A slot whose newest task is not running, and whose newest error is a pull error, cannot pull.
  let pullFailure: PullFailure | undefined;
  for (const history of slots.values()) {
    if (running(history[0]!)) continue;
    const failed = history.find((t) => errorOf(t));
    if (failed && isPullError(errorOf(failed))) {
      pullFailure = pullFailureOf(errorOf(failed), redact, { image: withoutDigest(failed.Image) });
      break;
    }
  }
  const updateState = service.UpdateStatus?.State;
  return {
    exists: true,
    desired: service.Spec?.Mode?.Replicated?.Replicas ?? latest.length,
    // As a Deployment's updatedReplicas: tasks of the current spec, running or not yet.
    updated: current.length,
    ready,
    available: ready,
    total: latest.filter(running).length,
    observedCurrent: !updateState || updateState === "completed",
    at,
    instances: latest.map((t) => ({
      name: t.Name ?? "",
      ready: running(t),
      // "Running 5 minutes ago": the state is the first word.
      state: (t.CurrentState ?? "").split(/\s+/)[0] ?? "",
      ...(errorOf(t) ? { message: cappedLine(redact(errorOf(t))) } : {}),
    })),
    ...(pullFailure ? { pullFailure } : {}),
  };
}

// ── Compose ───────────────────────────────────────────────────────────────────

/**
 * A Compose service's containers, from the engine by their Compose labels: `docker ps` reads the
 * same with the Compose plugin and with docker-compose v1, whose `ps` has no JSON output. Pulls
 * happen only at deploy time (confirmed there), so no pull failure is read here.
 */
export async function readComposeServiceState(session: DockerSession, project: string, service: string, desired: number): Promise<WorkloadState> {
  const at = new Date().toISOString();
  const ps = await session.run({
    step: "docker ps",
    args: ["ps", "-a", "--filter", `label=com.docker.compose.project=${project}`, "--filter", `label=com.docker.compose.service=${service}`, "--format", "{{json .}}"],
  });
  const containers = ps.code === 0 ? jsonLines<{ Names?: string; State?: string; Status?: string }>(ps.stdout) : [];
  const running = containers.filter((c) => c.State === "running");
  return {
    exists: containers.length > 0,
    desired,
    updated: running.length,
    ready: running.length,
    available: running.length,
    total: running.length,
    observedCurrent: true,
    at,
    instances: containers.map((c) => ({ name: c.Names ?? "", ready: c.State === "running", state: c.Status ?? c.State ?? "" })),
  };
}

// ── Waiting ───────────────────────────────────────────────────────────────────

export type RolloutOutcome = "rolled_out" | "pull_failed" | "rollout_timeout";

/**
 * Polls `read` until the rollout is done, a pull fails, or `timeoutMs` passes. A pull failure ends
 * the wait at once: kubelet keeps retrying, but these credentials will not start working on their
 * own, and the watcher keeps reading afterwards. A read that fails twice in a row ends it too.
 */
export async function awaitRollout(
  read: () => Promise<WorkloadState>,
  opts: { timeoutMs: number; pollMs?: number; onState?: (state: WorkloadState) => void | Promise<void> },
): Promise<{ outcome: RolloutOutcome; state: WorkloadState }> {
  const deadline = Date.now() + opts.timeoutMs;
  let pause = Math.min(200, opts.pollMs ?? 1000);
  let failures = 0;
  for (;;) {
    let state: WorkloadState | undefined;
    try {
      state = await read();
      failures = 0;
    } catch (err) {
      if (++failures >= 2 || Date.now() >= deadline) throw err;
    }
    if (state) {
      await opts.onState?.(state);
      if (state.pullFailure) return { outcome: "pull_failed", state };
      if (isRolledOut(state)) return { outcome: "rolled_out", state };
      if (Date.now() >= deadline) return { outcome: "rollout_timeout", state };
    }
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, Math.min(pause, deadline - Date.now()))));
    pause = Math.min(pause * 2, opts.pollMs ?? 1000);
  }
}
