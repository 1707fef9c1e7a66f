import "./support/allow-loopback";
import { existsSync, statSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { applyDeploy, previewDeploy, type DeploySpec, type DeployTarget, type Progress } from "@/lib/deploy";
import type { CommandRunner, RunOptions } from "@/lib/deploy/command";
import { DockerError } from "@/lib/deploy/docker";
import { parseImage } from "@/lib/registries/image-ref";
import { egressPolicy } from "@/lib/egress";

/** Swarm cannot run here (podman has no Swarm mode): the exact CLI calls are the contract. */

type Call = { command: string; args: string[]; opts: RunOptions; configMode?: number };

function recordingRunner(answer: (args: string[]) => { code: number; stdout?: string; stderr?: string } = () => ({ code: 0 })) {
  const calls: Call[] = [];
  const runner: CommandRunner = async (command, args, opts) => {
    const configDir = opts.env.DOCKER_CONFIG!;
    calls.push({ command, args, opts, configMode: existsSync(configDir) ? statSync(configDir).mode & 0o777 : undefined });
    const a = answer(args);
    return { code: a.code, stdout: a.stdout ?? "", stderr: a.stderr ?? "" };
  };
  return { calls, runner };
}

const PASSWORD = "s3cret-registry-password";
const ref = (name: string, tag: string) => {
  const r = parseImage(name, tag);
  if (!r.ok) throw new Error(r.message);
  return r.ref;
};

function spec(overrides: Partial<DeploySpec> = {}): DeploySpec {
  return {
    action: "deploy",
    environment: { id: "env-aaaaaaaaaaaa", slug: "prod" },
    container: { id: "ctr-bbbbbbbbbbbb", name: "api", replicas: 2, port: 8080, restartedAt: null },
    image: ref("registry.example.com:5000/team/api", "1.4"),
    registry: { id: "reg-cccccccccccc", type: "Custom", name: "ours", credentialVersion: 3 },
    credentials: { username: "deployer", password: PASSWORD, serverKeys: ["registry.example.com:5000"] },
    ...overrides,
  };
}

/**
 * Names resolve through a stand-in resolver to a documentation address (192.0.2.0/24) the policy
 * allows: the runner records the calls, so nothing ever connects there.
 */
const policy = egressPolicy(["192.0.2.0/24"], {
  resolve: async (host) => {
    if (host === "manager.example.com") return [{ address: "192.0.2.10", family: 4 }];
    throw Object.assign(new Error(`${host} does not resolve`), { code: "ENOTFOUND" });
  },
});

/** Records what a deploy reports: its log lines and each step's latest status and detail. */
function recorder() {
  const log: string[] = [];
  const steps = new Map<string, string>();
  const progress: Progress = { log: (line) => log.push(line), step: (name, status, detail) => steps.set(name, detail ? `${status}: ${detail}` : status) };
  return { log, steps, progress };
}

/** One `docker service ps --format '{{json .}}'` line, as the CLI prints it (the error quoted). */
const task = (name: string, desired: string, current: string, error = "", image = "registry.example.com:5000/team/api:1.4") =>
  JSON.stringify({ CurrentState: current, DesiredState: desired, Error: error ? `"${error}"` : "", ID: Math.random().toString(36).slice(2), Image: image, Name: name, Node: "node-1", Ports: "" });

/**
 * A Swarm manager's answers: whether the service exists (`inspect --format {{.ID}}`), its spec
 * (`inspect --format {{json .}}`), and its tasks (`service ps`), which may change per call.
 */
function swarmAnswers(opts: { exists: boolean; tasks: () => string[]; replicas?: number; updateState?: string }) {
  let created = opts.exists;
  return (args: string[]) => {
    const cmd = args.slice(2);
    if (cmd[0] === "service" && cmd[1] === "inspect" && cmd[3] === "{{.ID}}") return created ? { code: 0, stdout: "abc123\n" } : { code: 1, stderr: "Error: no such service: prod_api" };
    if (cmd[0] === "service" && cmd[1] === "create") {
      created = true;
      return { code: 0, stdout: "abc123\n" };
    }
    if (cmd[0] === "service" && cmd[1] === "inspect") {
      const spec = { Spec: { Mode: { Replicated: { Replicas: opts.replicas ?? 2 } }, TaskTemplate: { ContainerSpec: { Image: "registry.example.com:5000/team/api:1.4@sha256:" + "a".repeat(64) } } }, ...(opts.updateState ? { UpdateStatus: { State: opts.updateState } } : {}) };
      return { code: 0, stdout: `${JSON.stringify(spec)}\n` };
    }
    if (cmd[0] === "service" && cmd[1] === "ps") return { code: 0, stdout: opts.tasks().join("\n") + "\n" };
    return { code: 0 };
  };
}

const runningTasks = () => [task("prod_api.1", "Running", "Running 2 seconds ago"), task("prod_api.2", "Running", "Running 2 seconds ago")];
const fast = { rolloutTimeoutMs: 2000, rolloutPollMs: 50 };

const swarm: DeployTarget = { orchestrator: "swarm", docker: { dockerHost: "ssh://deploy@manager.example.com", sshPrivateKey: "-----BEGIN OPENSSH PRIVATE KEY-----\nAAAAkeymaterialkeymaterial\n-----END OPENSSH PRIVATE KEY-----" } };
const compose: DeployTarget = { orchestrator: "compose", docker: { dockerHost: "unix:///var/run/docker.sock" } };

function assertNoSecretOutsideStdin(calls: Call[]) {
  for (const c of calls) {
    expect(c.args.join(" ")).not.toContain(PASSWORD);
    expect(JSON.stringify(c.opts.env)).not.toContain(PASSWORD);
    // Nothing of the server's own environment leaks into the child.
    expect(Object.keys(c.opts.env).sort()).toEqual(expect.arrayContaining(["DOCKER_CONFIG", "DOCKER_HOST", "HOME", "PATH"]));
    expect(c.opts.env).not.toHaveProperty("CREDENTIALS_KEY");
    expect(c.opts.env).not.toHaveProperty("DATABASE_URL");
  }
}

describe("Docker Swarm", () => {
  it("logs in with the password on stdin into a private config dir, creates the service with registry auth, then waits for its tasks", async () => {
    const { calls, runner } = recordingRunner(swarmAnswers({ exists: false, tasks: runningTasks }));
    const { log, steps, progress } = recorder();
    const result = await applyDeploy(swarm, spec(), { runner, dockerCli: "docker", policy, ...fast }, progress);
    const configDir = calls[0]!.opts.env.DOCKER_CONFIG!;
    expect(calls.map((c) => c.args.slice(2))).toEqual([
      ["login", "--username", "deployer", "--password-stdin", "registry.example.com:5000"],
      ["service", "inspect", "--format", "{{.ID}}", "prod_api"],
      ["service", "create", "--detach", "--with-registry-auth", "--name", "prod_api", "--replicas", "2", "--label", "dockyard.dev/container-id=ctr-bbbbbbbbbbbb", "--publish", "published=8080,target=8080", "registry.example.com:5000/team/api:1.4"],
      ["service", "inspect", "--format", "{{json .}}", "prod_api"],
      ["service", "ps", "--no-trunc", "--format", "{{json .}}", "prod_api"],
    ]);
    for (const c of calls) {
      expect(c.command).toBe("docker");
      expect(c.args.slice(0, 2)).toEqual(["--config", configDir]);
      expect(c.configMode).toBe(0o700);
      // The CLI gets the address the egress policy vetted, never the name to resolve again.
      expect(c.opts.env.DOCKER_HOST).toBe("ssh://deploy@192.0.2.10");
    }
    expect(calls[0]!.opts.stdin).toBe(PASSWORD);
    expect(calls.slice(1).every((c) => !c.opts.stdin)).toBe(true);
    assertNoSecretOutsideStdin(calls);
    expect(existsSync(configDir)).toBe(false);
    expect(log.join("\n")).not.toContain(PASSWORD);
    expect(result).toMatchObject({ outcome: "rolled_out", rollout: { desired: 2, ready: 2, updated: 2, observedCurrent: true } });
    expect(Object.fromEntries(steps)).toEqual({
      "registry login": "done: logged in to registry.example.com:5000",
      workload: "done: service prod_api created: registry.example.com:5000/team/api:1.4",
      rollout: "done: 2/2 ready",
    });
  });

  it("updates an existing service; a restart forces new tasks", async () => {
    const { calls, runner } = recordingRunner(swarmAnswers({ exists: true, tasks: runningTasks }));
    await applyDeploy(swarm, spec({ action: "restart" }), { runner, policy, ...fast }, recorder().progress);
    const update = calls.find((c) => c.args[3] === "update")!;
    expect(update.args.slice(2)).toEqual(["service", "update", "--detach", "--with-registry-auth", "--image", "registry.example.com:5000/team/api:1.4", "--replicas", "2", "--force", "prod_api"]);
  });

  it("a public image: no login, no registry auth", async () => {
    const { calls, runner } = recordingRunner(swarmAnswers({ exists: true, tasks: runningTasks }));
    const { steps, progress } = recorder();
    await applyDeploy(swarm, spec({ image: ref("nginx", "1.27"), registry: null, credentials: null }), { runner, policy, ...fast }, progress);
    expect(calls.map((c) => c.args[2])).not.toContain("login");
    expect(calls.find((c) => c.args[3] === "update")!.args).not.toContain("--with-registry-auth");
    expect(steps.get("registry login")).toBe("done: public image: no login");
  });

  it("a refused login fails the deploy with the CLI's reason, redacted, and still removes the config dir", async () => {
    const { calls, runner } = recordingRunner((args) =>
      args.includes("login") ? { code: 1, stderr: `Error response from daemon: login attempt with password ${PASSWORD} failed: unauthorized` } : { code: 0 },
    );
    const err = await applyDeploy(swarm, spec(), { runner, policy }, recorder().progress).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DockerError);
    expect((err as DockerError).message).toContain("unauthorized");
    expect((err as DockerError).message).not.toContain(PASSWORD);
    expect(calls).toHaveLength(1);
    expect(existsSync(calls[0]!.opts.env.DOCKER_CONFIG!)).toBe(false);
  });

  it("gives ssh a private HOME with only the environment's key", async () => {
    let sshConfig = "";
    const answers = swarmAnswers({ exists: true, tasks: runningTasks });
    const runner: CommandRunner = async (_cmd, args, opts) => {
      const { readFileSync } = await import("node:fs");
      sshConfig = readFileSync(`${opts.env.HOME}/.ssh/config`, "utf8");
      expect(statSync(`${opts.env.HOME}/.ssh/id_dockyard`).mode & 0o777).toBe(0o600);
      const a = answers(args);
      return { code: a.code, stdout: a.stdout ?? "", stderr: a.stderr ?? "" };
    };
    await applyDeploy(swarm, spec(), { runner, policy, ...fast }, recorder().progress);
    expect(sshConfig).toContain("IdentitiesOnly yes");
    // Host keys are known by the name the user typed, and trusted on first use only.
    expect(sshConfig).toContain("HostKeyAlias manager.example.com");
    expect(sshConfig).toContain("StrictHostKeyChecking accept-new");
  });
});

describe("Docker Swarm: task states read back", () => {
  it("waits while tasks are still preparing, then records the rollout", async () => {
    let reads = 0;
    const tasks = () =>
      ++reads < 3
        ? [task("prod_api.1", "Running", "Preparing 1 second ago"), task("prod_api.2", "Running", "Assigned 1 second ago")]
        : runningTasks();
    const { runner } = recordingRunner(swarmAnswers({ exists: true, tasks }));
    const { steps, progress } = recorder();
    const result = await applyDeploy(swarm, spec(), { runner, policy, ...fast }, progress);
    expect(result.outcome).toBe("rolled_out");
    expect(reads).toBeGreaterThanOrEqual(3);
    expect(steps.get("rollout")).toBe("done: 2/2 ready");
  });

  it("a node that could not pull: the task's error, as Swarm reports it, ends the wait as a pull failure, redacted", async () => {
    // Swarm keeps the node's pull error in the node's daemon log; the task says "No such image".
    const error = `No such image: registry.example.com:5000/team/api:1.4@sha256:${"a".repeat(64)}`;
    const tasks = () => [
      task("prod_api.1", "Running", "Preparing 1 second ago"),
      task("prod_api.1", "Shutdown", "Rejected 3 seconds ago", error),
      task("prod_api.2", "Running", "Running 9 minutes ago"),
    ];
    const { runner } = recordingRunner(swarmAnswers({ exists: true, tasks }));
    const { steps, progress } = recorder();
    const result = await applyDeploy(swarm, spec(), { runner, policy, ...fast }, progress);
    expect(result).toMatchObject({ outcome: "pull_failed", pullFailure: { reason: "other", message: error, image: "registry.example.com:5000/team/api:1.4" }, rollout: { desired: 2, ready: 1 } });
    expect(steps.get("rollout")).toBe("failed: 1/2 ready; pull failed: other error");
  });

  it("a task error that names the registry's refusal is classified, and a password in it is masked", async () => {
    const tasks = () => [
      task("prod_api.1", "Shutdown", "Rejected 1 second ago", `Error response from daemon: Head "https://registry.example.com:5000/v2/team/api/manifests/1.4": unauthorized: authentication required (tried ${PASSWORD})`),
      task("prod_api.2", "Shutdown", "Rejected 1 second ago", "No such image: registry.example.com:5000/team/api:1.4"),
    ];
    const { runner } = recordingRunner(swarmAnswers({ exists: true, tasks }));
    const result = await applyDeploy(swarm, spec(), { runner, policy, ...fast }, recorder().progress);
    expect(result.pullFailure).toMatchObject({ reason: "credentials_refused" });
    expect(result.pullFailure!.message).not.toContain(PASSWORD);
    expect(result.pullFailure!.message).toContain("****");
  });

  it("a crashing container is not a pull failure: the rollout times out with the tasks' states", async () => {
    const tasks = () => [task("prod_api.1", "Running", "Starting 1 second ago"), task("prod_api.1", "Shutdown", "Failed 2 seconds ago", "task: non-zero exit (1)"), task("prod_api.2", "Running", "Running 1 minute ago")];
    const { runner } = recordingRunner(swarmAnswers({ exists: true, tasks }));
    const { steps, progress } = recorder();
    const result = await applyDeploy(swarm, spec(), { runner, policy, rolloutTimeoutMs: 400, rolloutPollMs: 50 }, progress);
    expect(result).toMatchObject({ outcome: "rollout_timeout", rollout: { desired: 2, ready: 1 } });
    expect(result.pullFailure).toBeUndefined();
    expect(steps.get("rollout")).toBe("failed: 1/2 ready after 0 s");
  });

  it("an update still in progress is not rolled out, even with every task running", async () => {
    const { runner } = recordingRunner(swarmAnswers({ exists: true, tasks: runningTasks, updateState: "updating" }));
    const result = await applyDeploy(swarm, spec(), { runner, policy, rolloutTimeoutMs: 300, rolloutPollMs: 50 }, recorder().progress);
    expect(result).toMatchObject({ outcome: "rollout_timeout", rollout: { observedCurrent: false, ready: 2 } });
  });
});

/** `docker ps --format '{{json .}}'` for the Compose service's containers. */
const composeAnswers = (running: number) => (args: string[]) =>
  args[2] === "ps"
    ? { code: 0, stdout: Array.from({ length: running }, (_, i) => JSON.stringify({ Names: `env-prod-api-${i + 1}`, State: "running", Status: "Up 2 seconds" })).join("\n") }
    : { code: 0 };

describe("Docker Compose", () => {
  it("logs in, writes the compose file, pulls and starts with the plugin, then reads its containers", async () => {
    const { calls, runner } = recordingRunner(composeAnswers(2));
    const { steps, progress } = recorder();
    const result = await applyDeploy(compose, spec(), { runner, policy, ...fast }, progress);
    expect(calls.map((c) => c.args.slice(2, 4))).toEqual([
      ["login", "--username"],
      ["compose", "version"],
      ["compose", "-p"],
      ["pull", "--quiet"],
      ["compose", "-p"],
      ["ps", "-a"],
    ]);
    expect(calls[2]!.args.slice(-2)).toEqual(["pull", "api"]);
    expect(calls[3]!.args.at(-1)).toBe("registry.example.com:5000/team/api:1.4");
    expect(calls[4]!.args.slice(-6)).toEqual(["up", "-d", "--no-build", "--scale", "api=2", "api"]);
    expect(calls[5]!.args.slice(2)).toEqual(["ps", "-a", "--filter", "label=com.docker.compose.project=env-prod", "--filter", "label=com.docker.compose.service=api", "--format", "{{json .}}"]);
    assertNoSecretOutsideStdin(calls);
    expect(result).toMatchObject({ outcome: "rolled_out", rollout: { desired: 2, ready: 2 } });
    expect(steps.get("workload")).toBe("done: registry.example.com:5000/team/api:1.4 pulled and started");
  });

  it("falls back to docker-compose when the plugin is missing, with DOCKER_CONFIG pointing at the login", async () => {
    const answers = composeAnswers(2);
    const { calls, runner } = recordingRunner((args) => (args[2] === "compose" ? { code: 1, stderr: "docker: 'compose' is not a docker command." } : answers(args)));
    await applyDeploy(compose, spec(), { runner, policy, ...fast }, recorder().progress);
    const standalone = calls.filter((c) => c.command === "docker-compose");
    expect(standalone.map((c) => c.args.at(-2) === "pull" || c.args.includes("up"))).toEqual([true, true]);
    expect(standalone[0]!.opts.env.DOCKER_CONFIG).toBe(calls[0]!.opts.env.DOCKER_CONFIG);
    assertNoSecretOutsideStdin(calls);
  });

  it("docker-compose v1 says nothing of a refused pull; the engine's own pull does, and nothing is started", async () => {
    const { calls, runner } = recordingRunner((args) => {
      if (args[2] === "compose") return { code: 1, stderr: "docker: 'compose' is not a docker command." };
      if (args[2] === "pull") return { code: 1, stderr: "Error response from daemon: toomanyrequests: You have reached your pull rate limit. You may increase the limit by authenticating and upgrading: https://www.docker.com/increase-rate-limit" };
      return { code: 0 };
    });
    const { steps, progress } = recorder();
    const result = await applyDeploy(compose, spec(), { runner, policy, ...fast }, progress);
    expect(result).toMatchObject({ outcome: "pull_failed", pullFailure: { reason: "rate_limited", image: "registry.example.com:5000/team/api:1.4" } });
    expect(steps.get("workload")).toBe("failed: pull failed: rate limited");
    expect(calls.some((c) => c.args.includes("up"))).toBe(false);
  });
});

describe("preview", () => {
  it("shows the docker commands with the password as ****", () => {
    const [part] = previewDeploy(swarm, spec(), { serviceExists: true });
    expect(part!.body).toContain("echo **** | docker login --username deployer --password-stdin registry.example.com:5000");
    expect(part!.body).toContain("docker service update --detach --with-registry-auth");
    expect(part!.body).not.toContain(PASSWORD);
  });

  it("Compose: what will run, whichever of docker compose and docker-compose the host has, and the engine's confirming pull", () => {
    const parts = previewDeploy(compose, spec());
    expect(parts.map((p) => p.title)).toEqual(["compose.yaml", "Docker Compose on unix:///var/run/docker.sock"]);
    expect(parts[1]!.body.split("\n")).toEqual([
      "echo **** | docker login --username deployer --password-stdin registry.example.com:5000",
      "# docker compose where the host's CLI has the Compose plugin, else docker-compose with the same arguments",
      "docker compose -p env-prod -f compose.yaml pull api",
      "docker pull --quiet registry.example.com:5000/team/api:1.4  # the engine confirms the pull",
      "docker compose -p env-prod -f compose.yaml up -d --no-build --scale api=2 api",
    ]);
  });

  it("shows the Secret with .dockerconfigjson redacted and the Deployment naming it", () => {
    const parts = previewDeploy({ orchestrator: "kubernetes", kube: { kubeconfig: "x" } }, spec());
    const text = parts.map((p) => p.body).join("\n");
    expect(parts.map((p) => p.title)).toEqual(["Namespace (created if missing)", "Pull secret", "Deployment"]);
    expect(text).toContain("kubernetes.io/dockerconfigjson");
    expect(text).toContain("<redacted: registry.example.com:5000>");
    expect(text).toContain("name: custom-reg-cccccccccccc-creds");
    expect(text).not.toContain(Buffer.from(PASSWORD).toString("base64"));
    expect(text).not.toContain(PASSWORD);
  });

  it("a public image has no Secret and no imagePullSecrets", () => {
    const parts = previewDeploy({ orchestrator: "kubernetes", kube: { kubeconfig: "x" } }, spec({ image: ref("nginx", "1.27"), registry: null, credentials: null }));
    expect(parts.map((p) => p.title)).toEqual(["Namespace (created if missing)", "Deployment"]);
    expect(parts.at(-1)!.body).not.toContain("imagePullSecrets");
  });
});
