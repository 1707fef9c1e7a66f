import "server-only";
import path from "node:path";
import { writeFile } from "node:fs/promises";
import { stringify } from "yaml";
import type { DeploymentStep, PullFailure, RolloutState } from "@/db/schema";
import { env } from "@/lib/env";
import { checkKubeconfig } from "@/lib/environments/kubeconfig";
import type { ImageReference } from "@/lib/registries/image-ref";
import { spawnRunner, type CommandRunner, type RunResult } from "./command";
import { basicAuth, dockerConfigJson, loginServerFor, type PullCredentials } from "./docker-config";
import {
  classifyDockerFailure,
  composeCommands,
  composeFile,
  composeProject,
  DockerError,
  loginCommand,
  runChecked,
  showCommand,
  swarmDeployCommand,
  swarmInspectCommand,
  swarmRemoveCommand,
  swarmServiceName,
  withDockerSession,
  type DockerCommand,
  type DockerHost,
  type DockerSession,
  type WorkloadInput,
} from "./docker";
import { isEgressRefused, resolveVetted, type EgressPolicy } from "@/lib/egress";
import { deleteDeployment, deleteSecret, ensureNamespace, KubeError, kubeClients, listNamespaces, upsertDeployment, upsertSecret, type KubeClients } from "./kubernetes";
import { deploymentManifest, namespaceManifest, namespaceOf, pullSecretData, pullSecretManifest, pullSecretName, type PullSecretData } from "./manifests";
import { pullFailureLabel, pullFailureOf } from "./pull-failure";
import { redactor } from "./redact";
import { awaitRollout, podUidsOf, readComposeServiceState, readSwarmServiceState, readWorkloadState, type Redact, type RolloutOutcome, type WorkloadState } from "./rollout";

/**
 * The deploy module: one interface over Kubernetes, Docker Swarm and Docker Compose. It gets
 * credentials already decrypted (and ECR tokens already exchanged) and never imports React or
 * the database; the container service records what it did.
 */

export type KubeSource = { kubeconfig: string } | { inCluster: true };
export type DeployTarget = { orchestrator: "kubernetes"; kube: KubeSource } | { orchestrator: "swarm" | "compose"; docker: DockerHost };

export type RegistryRef = { id: string; type: string; name: string; credentialVersion: number };

export type DeploySpec = {
  action: "deploy" | "scale" | "restart";
  environment: { id: string; slug: string };
  container: { id: string; name: string; replicas: number; port: number | null; restartedAt: Date | null };
  image: ImageReference;
  /** Null for public images: no Secret, no imagePullSecrets, no login. */
  registry: RegistryRef | null;
  credentials: PullCredentials | null;
};

export type DeployDeps = {
  runner?: CommandRunner;
  dockerCli?: string;
  kube?: (source: KubeSource) => KubeClients;
  /** The egress policy in place of the server's (tests). */
  policy?: EgressPolicy;
  /** How long to wait for the rollout; DEPLOY_ROLLOUT_TIMEOUT_SECONDS by default. */
  rolloutTimeoutMs?: number;
  /** The longest pause between two reads of the rollout (the first ones come sooner). */
  rolloutPollMs?: number;
};

export type Log = (line: string) => void;

/**
 * What a deploy reports as it goes: log lines, and its steps as the container page shows them.
 * The deploy does not wait for these to be recorded.
 */
export type Progress = {
  log: Log;
  step(name: string, status: DeploymentStep["status"], detail?: string): void;
};

/** How a deploy ended once the workload was written; failures before that are thrown. */
export type DeployResult = { outcome: RolloutOutcome; rollout: RolloutState; pullFailure?: PullFailure };

/** The steps of a deploy in order: the service does "credentials", the deploy module the rest. */
export function plannedSteps(orchestrator: DeployTarget["orchestrator"]): string[] {
  return ["credentials", orchestrator === "kubernetes" ? "pull secret" : "registry login", "workload", "rollout"];
}

const kubeOf = (deps: DeployDeps) => deps.kube ?? ((source: KubeSource) => kubeClients(source, { policy: deps.policy }));

/** Every secret a deploy handles, in the forms a tool could echo, for redaction. */
export function secretsOf(target: DeployTarget, credentials: PullCredentials | null): string[] {
  const out: string[] = [];
  if (credentials) out.push(credentials.password, basicAuth(credentials.username, credentials.password), dockerConfigJson(credentials));
  if (target.orchestrator === "kubernetes" && "kubeconfig" in target.kube) {
    out.push(target.kube.kubeconfig);
    // An API server's message could echo what it was sent: the credentials inside count too.
    const check = checkKubeconfig(target.kube.kubeconfig);
    if (check.ok) out.push(...[check.target.token, check.target.password, check.target.keyData].filter((s): s is string => !!s));
  }
  if (target.orchestrator !== "kubernetes") out.push(...[target.docker.sshPrivateKey, target.docker.tlsKey].filter((s): s is string => !!s));
  return out;
}

/** A fan-out writes the same credentials to every namespace: their Secret data is built once. */
const secretData = new WeakMap<PullCredentials, PullSecretData>();

function pullSecretOf(spec: Pick<DeploySpec, "environment" | "registry" | "credentials">) {
  if (!spec.registry || !spec.credentials) return undefined;
  let data = secretData.get(spec.credentials);
  if (!data) secretData.set(spec.credentials, (data = pullSecretData(dockerConfigJson(spec.credentials))));
  return pullSecretManifest({ namespace: namespaceOf(spec.environment.slug), registry: spec.registry, data, expiresAt: spec.credentials.expiresAt });
}

function deploymentOf(spec: DeploySpec) {
  return deploymentManifest({
    namespace: namespaceOf(spec.environment.slug),
    container: spec.container,
    image: spec.image.full,
    pullSecret: spec.registry && spec.credentials ? pullSecretName(spec.registry) : undefined,
  });
}

function workloadOf(spec: DeploySpec): WorkloadInput {
  return {
    environmentSlug: spec.environment.slug,
    container: spec.container,
    image: spec.image.full,
    action: spec.action,
    withRegistryAuth: spec.credentials !== null,
  };
}

/**
 * The Docker engine sends the credentials to the registry a login names: that host is vetted by
 * the egress policy first, as at save, so a registry saved before a policy change is refused too.
 */
async function vetLoginServer(server: string, policy: EgressPolicy | undefined) {
  const host = new URL(server.includes("://") ? server : `https://${server}`).hostname;
  try {
    await resolveVetted(host, policy);
  } catch (err) {
    if (isEgressRefused(err)) throw new DockerError(`docker login ${server}`, `docker login ${server} not attempted: ${err.message}`);
    // A name this server cannot resolve: the engine may still, and will say so if not.
  }
}

function loginOf(spec: DeploySpec): DockerCommand | undefined {
  if (!spec.credentials) return undefined;
  return loginCommand(loginServerFor(spec.credentials, spec.image.domain), spec.credentials.username, spec.credentials.password);
}

// ── Apply ─────────────────────────────────────────────────────────────────────

/**
 * Writes what the orchestrator needs (pull secret or login, then the workload), then waits for
 * the rollout: until every replica is ready, a pull fails, or the timeout passes. A failure
 * before the rollout is thrown (KubeError, DockerError) naming its step.
 */
export async function applyDeploy(target: DeployTarget, spec: DeploySpec, deps: DeployDeps, progress: Progress): Promise<DeployResult> {
  const redact = redactor(secretsOf(target, spec.credentials));
  if (target.orchestrator === "kubernetes") return applyKubernetes(kubeOf(deps)(target.kube), spec, deps, redact, progress);
  const login = loginOf(spec);
  progress.step("registry login", "running");
  if (login) await vetLoginServer(login.args.at(-1)!, deps.policy);
  return withDockerSession(target.docker, deps.runner ?? spawnRunner, deps.dockerCli ?? "docker", async (session) => {
    if (login) {
      await runChecked(session, login, redact);
      progress.log(`${showCommand(login)}: logged in`);
      progress.step("registry login", "done", `logged in to ${login.args.at(-1)}`);
    } else {
      progress.step("registry login", "done", "public image: no login");
    }
    if (target.orchestrator === "swarm") return applySwarm(session, spec, deps, redact, progress);
    return applyCompose(session, spec, deps, redact, progress);
  }, { policy: deps.policy });
}

async function applyKubernetes(k: KubeClients, spec: DeploySpec, deps: DeployDeps, redact: Redact, progress: Progress): Promise<DeployResult> {
  const { log } = progress;
  const namespace = namespaceOf(spec.environment.slug);
  progress.step("pull secret", "running");
  await ensureNamespace(k, namespace, spec.environment.id);
  log(`namespace ${namespace}: ready`);
  const secret = pullSecretOf(spec);
  if (secret) {
    await upsertSecret(k, secret);
    log(`secret ${namespace}/${secret.metadata!.name}: written (credential version ${spec.registry!.credentialVersion})`);
    progress.step("pull secret", "done", `${namespace}/${secret.metadata!.name} written (credentials v${spec.registry!.credentialVersion})`);
  } else {
    log("public image: no pull secret");
    progress.step("pull secret", "done", "public image: no pull secret");
  }
  progress.step("workload", "running");
  const deployment = deploymentOf(spec);
  const podUids = await podUidsOf(k, namespace, deployment.spec?.selector);
  const writtenAt = new Date();
  await upsertDeployment(k, deployment);
  const replicas = `${spec.container.replicas} replica${spec.container.replicas === 1 ? "" : "s"}`;
  log(`deployment ${namespace}/${spec.container.name}: applied (${spec.image.full}, ${replicas})`);
  progress.step("workload", "done", `Deployment ${namespace}/${spec.container.name}: ${spec.image.full}, ${replicas}`);
  // A failure from before this write is a pod still backing off from an earlier deploy.
  return waitForRollout(() => readWorkloadState(k, namespace, spec.container.name, redact, { after: { writtenAt, podUids } }), deps, progress);
}

async function applySwarm(session: DockerSession, spec: DeploySpec, deps: DeployDeps, redact: Redact, progress: Progress): Promise<DeployResult> {
  const workload = workloadOf(spec);
  progress.step("workload", "running");
  const exists = (await session.run(swarmInspectCommand(workload))).code === 0;
  const cmd = swarmDeployCommand(workload, exists);
  await runChecked(session, cmd, redact);
  progress.log(`${showCommand(cmd)}: done`);
  progress.step("workload", "done", `service ${swarmServiceName(workload)} ${exists ? "updated" : "created"}: ${workload.image}`);
  return waitForRollout(() => readSwarmServiceState(session, swarmServiceName(workload), redact), deps, progress);
}

/** The last line of a tool's output that says what went wrong (pull progress lines say nothing). */
function reasonLine(result: RunResult): string {
  const lines = `${result.stderr}\n${result.stdout}`.split("\n").map((l) => l.trim()).filter(Boolean);
  return lines.filter((l) => /error|denied|unauthori[sz]ed|not found|unknown|toomanyrequests|x509|refused|timeout|no such/i.test(l)).at(-1) ?? lines.at(-1) ?? `exit code ${result.code}`;
}

async function applyCompose(session: DockerSession, spec: DeploySpec, deps: DeployDeps, redact: Redact, progress: Progress): Promise<DeployResult> {
  const workload = workloadOf(spec);
  const file = path.join(session.workDir, "compose.yaml");
  await writeFile(file, composeFile(workload), { mode: 0o600 });
  // The Compose plugin when the CLI has it, else the standalone docker-compose.
  const plugin = (await session.run({ step: "docker compose version", args: ["compose", "version"] })).code === 0;
  const { pull, confirmPull, up } = composeCommands(workload, file, plugin);
  const compose = plugin ? session : { ...session, run: (c: DockerCommand) => (deps.runner ?? spawnRunner)("docker-compose", c.args, { env: session.env, cwd: session.workDir }) };
  const tool = plugin ? "docker compose" : "docker-compose";
  progress.step("workload", "running", `pulling ${workload.image}`);
  const pulls: [Pick<DockerSession, "run">, DockerCommand][] = [
    [compose, pull],
    [session, confirmPull],
  ];
  for (const [runner, cmd] of pulls) {
    const result = await runner.run(cmd);
    if (result.code !== 0) {
      const pullFailure = pullFailureOf(reasonLine(result), redact, { image: workload.image, since: new Date().toISOString() });
      progress.log(`${cmd.step} failed: ${pullFailure.message}`);
      progress.step("workload", "failed", `pull failed: ${pullFailureLabel(pullFailure.reason)}`);
      const rollout = { desired: spec.container.replicas, updated: 0, ready: 0, available: 0, observedCurrent: true, pullFailure, at: new Date().toISOString() };
      return { outcome: "pull_failed", rollout, pullFailure };
    }
  }
  progress.log(`${tool} pull: done (${workload.image})`);
  await runChecked(compose, up, redact);
  progress.log(`${tool} up: done`);
  progress.step("workload", "done", `${workload.image} pulled and started`);
  return waitForRollout(() => readComposeServiceState(session, composeProject(workload.environmentSlug), workload.container.name, workload.container.replicas), deps, progress);
}

const rolloutOf = (state: WorkloadState): RolloutState => ({
  desired: state.desired,
  updated: state.updated,
  ready: state.ready,
  available: state.available,
  observedCurrent: state.observedCurrent,
  ...(state.pullFailure ? { pullFailure: state.pullFailure } : {}),
  at: state.at,
});

/** "1/2 ready, 1/2 updated, 1 old still running": the old ones are what keeps serving meanwhile. */
const readyWords = (state: WorkloadState) =>
  `${state.ready}/${state.desired} ready${state.updated < state.desired ? `, ${state.updated}/${state.desired} updated` : ""}${state.total > state.updated ? `, ${state.total - state.updated} old still running` : ""}`;

async function waitForRollout(read: () => Promise<WorkloadState>, deps: DeployDeps, progress: Progress): Promise<DeployResult> {
  const timeoutMs = deps.rolloutTimeoutMs ?? env().deployRolloutTimeoutSeconds * 1000;
  progress.step("rollout", "running", "waiting for the orchestrator");
  const { outcome, state } = await awaitRollout(read, {
    timeoutMs,
    pollMs: deps.rolloutPollMs,
    onState: (s) => progress.step("rollout", "running", s.exists ? readyWords(s) : "waiting for the workload to appear"),
  });
  const rollout = rolloutOf(state);
  if (outcome === "rolled_out") {
    progress.log(`rollout: ${readyWords(state)}`);
    progress.step("rollout", "done", readyWords(state));
    return { outcome, rollout };
  }
  if (outcome === "pull_failed") {
    const failure = state.pullFailure!;
    progress.log(`rollout: pull failed (${pullFailureLabel(failure.reason)}): ${failure.message}`);
    progress.step("rollout", "failed", `${readyWords(state)}; pull failed: ${pullFailureLabel(failure.reason)}`);
    return { outcome, rollout, pullFailure: failure };
  }
  progress.log(`rollout: not ready after ${Math.round(timeoutMs / 1000)} s (${readyWords(state)})`);
  progress.step("rollout", "failed", `${readyWords(state)} after ${Math.round(timeoutMs / 1000)} s`);
  return { outcome, rollout };
}

// ── Reading ───────────────────────────────────────────────────────────────────

export type WorkloadRef = { id: string; name: string; replicas: number };

/**
 * What the orchestrator reports of each of one environment's containers (keyed by container id),
 * over one connection: one Kubernetes client, or one Docker session for all of them. For the
 * watcher; a failure to reach the orchestrator is thrown (KubeError, DockerError).
 */
export async function readEnvironmentWorkloads(
  target: DeployTarget,
  environment: { slug: string },
  workloads: WorkloadRef[],
  deps: DeployDeps,
  redact: Redact,
): Promise<Map<string, WorkloadState>> {
  const states = new Map<string, WorkloadState>();
  if (target.orchestrator === "kubernetes") {
    const k = kubeOf(deps)(target.kube);
    for (const w of workloads) states.set(w.id, await readWorkloadState(k, namespaceOf(environment.slug), w.name, redact));
    return states;
  }
  await withDockerSession(
    target.docker,
    deps.runner ?? spawnRunner,
    deps.dockerCli ?? "docker",
    async (session) => {
      for (const w of workloads) {
        const ref = { environmentSlug: environment.slug, container: { ...w, port: null } };
        states.set(
          w.id,
          target.orchestrator === "swarm"
            ? await readSwarmServiceState(session, swarmServiceName(ref), redact)
            : await readComposeServiceState(session, composeProject(environment.slug), w.name, w.replicas),
        );
      }
    },
    { policy: deps.policy },
  );
  return states;
}

// ── Connection check ──────────────────────────────────────────────────────────

/** An environment's Test: `message` in plain words, `detail` the technical part beneath it. */
export type OrchestratorCheck = { ok: boolean; message: string; detail?: string; namespaces?: string[] };

const capitalised = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/**
 * What a deploy will first need of the orchestrator. Kubernetes: the namespaces the credentials
 * can list. Docker: the engine answers `docker version` (through the same vetted session a deploy
 * uses), and for Swarm the node is a manager, since only a manager creates services.
 */
export async function checkOrchestrator(target: DeployTarget, deps: DeployDeps = {}): Promise<OrchestratorCheck> {
  const redact = redactor(secretsOf(target, null));
  if (target.orchestrator === "kubernetes") {
    try {
      const namespaces = await listNamespaces(kubeOf(deps)(target.kube));
      return { ok: true, message: `Connected: ${namespaces.length} namespace${namespaces.length === 1 ? "" : "s"} visible`, namespaces };
    } catch (err) {
      if (err instanceof KubeError) return { ok: false, message: redact(capitalised(err.reason)), detail: err.detail && redact(err.detail) };
      throw err;
    }
  }
  try {
    return await withDockerSession(
      target.docker,
      deps.runner ?? spawnRunner,
      deps.dockerCli ?? "docker",
      async (session) => {
        const version = await session.run({ step: "docker version", args: ["version", "--format", "{{json .}}"] });
        if (version.code !== 0) {
          // The CLI prints its client half on stdout also when the engine is not there: the reason is on stderr.
          const { words, detail } = classifyDockerFailure(version.stderr.trim() || version.stdout, redact);
          return { ok: false, message: `The Docker engine at ${target.docker.dockerHost} did not answer: ${words}`, detail };
        }
        const engine = engineOf(version.stdout);
        if (!engine) return { ok: false, message: `${target.docker.dockerHost} answered, but not as a Docker engine`, detail: "docker version gave no server version" };
        if (target.orchestrator === "compose") return { ok: true, message: `Connected: ${engine}` };
        const info = await session.run({ step: "docker info", args: ["info", "--format", "{{json .Swarm}}"] });
        const swarm = info.code === 0 ? swarmOf(info.stdout) : undefined;
        if (!swarm) return { ok: false, message: `Connected to ${engine}, but it did not say whether it is in a swarm`, detail: classifyDockerFailure(info.stderr.trim() || info.stdout, redact).detail };
        if (swarm.state !== "active") return { ok: false, message: `Connected to ${engine}, but it is not a swarm manager: the node is not part of a swarm`, detail: `Swarm state: ${swarm.state || "none"}` };
        if (!swarm.manager) return { ok: false, message: `Connected to ${engine}, but it is not a swarm manager: this node is a worker, and only a manager can create services`, detail: "Swarm state: active, ControlAvailable: false" };
        return { ok: true, message: `Connected: ${engine}, a swarm manager` };
      },
      { policy: deps.policy },
    );
  } catch (err) {
    if (err instanceof DockerError) return { ok: false, message: err.message };
    throw err;
  }
}

const VERSION = /^[\w.+~-]{1,40}$/;

/** "Docker Engine 27.3.1 (API 1.47, linux/amd64)" from `docker version`'s JSON; only known, well-formed fields. */
function engineOf(stdout: string): string | undefined {
  let doc: { Server?: { Version?: unknown; ApiVersion?: unknown; Os?: unknown; Arch?: unknown; Components?: { Name?: unknown }[] } | null };
  try {
    doc = JSON.parse(stdout);
  } catch {
    return undefined;
  }
  const server = doc?.Server;
  if (!server || typeof server.Version !== "string" || !VERSION.test(server.Version)) return undefined;
  const component = server.Components?.[0]?.Name;
  // Docker names its engine component "Engine"; podman's Docker API says "Podman Engine".
  const name = typeof component === "string" && /^[\w .-]{1,40}$/.test(component) && component !== "Engine" ? component : "Docker Engine";
  const api = typeof server.ApiVersion === "string" && VERSION.test(server.ApiVersion) ? `API ${server.ApiVersion}` : undefined;
  const platform = typeof server.Os === "string" && typeof server.Arch === "string" && VERSION.test(server.Os) && VERSION.test(server.Arch) ? `${server.Os}/${server.Arch}` : undefined;
  const extra = [api, platform].filter(Boolean).join(", ");
  return `${name} ${server.Version}${extra ? ` (${extra})` : ""}`;
}

/** `docker info --format '{{json .Swarm}}'`: the node's swarm state and whether it is a manager. */
function swarmOf(stdout: string): { state: string; manager: boolean } | undefined {
  try {
    const swarm = JSON.parse(stdout) as { LocalNodeState?: unknown; ControlAvailable?: unknown } | null;
    if (!swarm || typeof swarm.LocalNodeState !== "string") return undefined;
    return { state: /^[a-z]{0,20}$/.test(swarm.LocalNodeState) ? swarm.LocalNodeState : "unknown", manager: swarm.ControlAvailable === true };
  } catch {
    return undefined;
  }
}

// ── Preview ───────────────────────────────────────────────────────────────────

export type PreviewPart = { title: string; language: "yaml" | "shell"; body: string };

/** Exactly what a deploy will apply, with every secret value replaced by a mask. */
export function previewDeploy(target: DeployTarget, spec: DeploySpec, opts: { serviceExists?: boolean } = {}): PreviewPart[] {
  if (target.orchestrator === "kubernetes") {
    const parts: PreviewPart[] = [
      { title: "Namespace (created if missing)", language: "yaml", body: stringify(namespaceManifest(namespaceOf(spec.environment.slug), spec.environment.id)) },
    ];
    const secret = pullSecretOf(spec);
    if (secret) parts.push({ title: "Pull secret", language: "yaml", body: stringify({ ...secret, data: { ".dockerconfigjson": `<redacted: ${spec.credentials!.serverKeys.join(", ")}>` } }) });
    parts.push({ title: "Deployment", language: "yaml", body: stringify(deploymentOf(spec)) });
    return parts;
  }
  const workload = workloadOf(spec);
  const login = loginOf(spec);
  const lines = login ? [showCommand(login)] : ["# public image: no login"];
  if (target.orchestrator === "swarm") {
    lines.push(showCommand(swarmDeployCommand(workload, opts.serviceExists ?? false)));
    return [{ title: `Docker Swarm on ${target.docker.dockerHost}`, language: "shell", body: lines.join("\n") }];
  }
  const { pull, confirmPull, up } = composeCommands(workload, "compose.yaml", true);
  // Which of the two runs is only known on the host: the deploy asks its CLI first.
  lines.push(
    "# docker compose where the host's CLI has the Compose plugin, else docker-compose with the same arguments",
    showCommand(pull),
    `${showCommand(confirmPull)}  # the engine confirms the pull`,
    showCommand(up),
  );
  return [
    { title: "compose.yaml", language: "yaml", body: composeFile(workload) },
    { title: `Docker Compose on ${target.docker.dockerHost}`, language: "shell", body: lines.join("\n") },
  ];
}

// ── Refresh and cleanup ───────────────────────────────────────────────────────

/**
 * Rewrites one registry's pull secret in one environment's namespace. One PUT when it exists;
 * the namespace is only looked at when the Secret is missing.
 */
export async function refreshPullSecret(
  target: Extract<DeployTarget, { orchestrator: "kubernetes" }>,
  spec: Pick<DeploySpec, "environment" | "registry" | "credentials">,
  deps: DeployDeps,
) {
  const k = kubeOf(deps)(target.kube);
  const secret = pullSecretOf(spec);
  if (!secret) return;
  const namespace = namespaceOf(spec.environment.slug);
  await upsertSecret(k, secret, { ensureNamespace: () => ensureNamespace(k, namespace, spec.environment.id) });
}

/**
 * Renews the registry credentials a Swarm service holds (a snapshot taken at deploy time):
 * a fresh login, then `docker service update --with-registry-auth` changing nothing else.
 */
export async function refreshSwarmService(
  target: Extract<DeployTarget, { docker: DockerHost }>,
  service: { name: string; loginServer: string },
  credentials: PullCredentials,
  deps: DeployDeps,
) {
  const redact = redactor(secretsOf(target, credentials));
  const server = service.loginServer;
  const serviceName = service.name;
  await vetLoginServer(server, deps.policy);
  await withDockerSession(
    target.docker,
    deps.runner ?? spawnRunner,
    deps.dockerCli ?? "docker",
    async (session) => {
      await runChecked(session, loginCommand(server, credentials.username, credentials.password), redact);
      await runChecked(session, { step: "docker service update", args: ["service", "update", "--with-registry-auth", "--detach", serviceName] }, redact);
    },
    { policy: deps.policy },
  );
}

export async function removePullSecret(target: DeployTarget, environment: { slug: string }, registry: { id: string; type: string }, deps: DeployDeps) {
  if (target.orchestrator !== "kubernetes") return; // Docker logins live only in the deploy's temporary config
  await deleteSecret(kubeOf(deps)(target.kube), namespaceOf(environment.slug), pullSecretName(registry));
}

export async function removeWorkload(target: DeployTarget, spec: Pick<DeploySpec, "environment" | "container">, deps: DeployDeps, log: Log) {
  if (target.orchestrator === "kubernetes") {
    await deleteDeployment(kubeOf(deps)(target.kube), namespaceOf(spec.environment.slug), spec.container.name);
    log(`deployment ${namespaceOf(spec.environment.slug)}/${spec.container.name}: deleted`);
    return;
  }
  const workload = { environmentSlug: spec.environment.slug, container: spec.container };
  await withDockerSession(
    target.docker,
    deps.runner ?? spawnRunner,
    deps.dockerCli ?? "docker",
    async (session) => {
    const redact = redactor(secretsOf(target, null));
    if (target.orchestrator === "swarm") {
      const cmd = swarmRemoveCommand(workload);
      const result = await session.run(cmd);
      if (result.code !== 0 && !/not found/i.test(result.stderr)) await runChecked(session, cmd, redact);
    } else {
      const cmd: DockerCommand = { step: "docker rm", args: ["rm", "-f", ...(await composeContainerIds(session, workload.environmentSlug, spec.container.id))] };
      if (cmd.args.length > 2) await runChecked(session, cmd, redact);
    }
    log(`${spec.container.name}: removed`);
    },
    { policy: deps.policy },
  );
}

async function composeContainerIds(session: DockerSession, environmentSlug: string, containerId: string) {
  const result = await session.run({
    step: "docker ps",
    args: ["ps", "-aq", "--filter", `label=dockyard.dev/container-id=${containerId}`, "--filter", `label=com.docker.compose.project=env-${environmentSlug}`],
  });
  return result.code === 0 ? result.stdout.split(/\s+/).filter(Boolean) : [];
}

