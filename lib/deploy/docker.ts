import "server-only";
import { chmod, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { stringify } from "yaml";
import type { CommandRunner, RunResult } from "./command";
import { MASK } from "./redact";

/**
 * The Docker half of the deploy module: `docker login` into a private, throw-away config
 * directory (password on stdin), then Swarm services or a Compose project that pull with it.
 */

export type DockerHost = {
  /** `unix:///var/run/docker.sock`, `tcp://host:2376` (with TLS material) or `ssh://user@host`. */
  dockerHost: string;
  sshPrivateKey?: string;
  tlsCa?: string;
  tlsCert?: string;
  tlsKey?: string;
};

export class DockerError extends Error {
  constructor(
    readonly step: string,
    message: string,
  ) {
    super(message);
    this.name = "DockerError";
  }
}

/** One CLI call as it will run: argv, and whether a secret goes on stdin. */
export type DockerCommand = { step: string; args: string[]; stdin?: string };

export type DockerSession = {
  configDir: string;
  workDir: string;
  env: Record<string, string>;
  run(cmd: DockerCommand): Promise<RunResult>;
};

/**
 * Runs `fn` with a private directory (mode 0700) holding the Docker config the login writes,
 * the SSH key or TLS material, and the compose file; removed afterwards, also on failure.
 */
export async function withDockerSession<T>(
  host: DockerHost,
  runner: CommandRunner,
  dockerCli: string,
  fn: (session: DockerSession) => Promise<T>,
): Promise<T> {
  const root = await mkdtemp(path.join(tmpdir(), "dockyard-docker-"));
  await chmod(root, 0o700);
  try {
    const configDir = path.join(root, "config");
    const workDir = path.join(root, "work");
    const home = path.join(root, "home");
    await Promise.all([mkdir(configDir, { mode: 0o700 }), mkdir(workDir, { mode: 0o700 }), mkdir(home, { mode: 0o700 })]);
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin",
      HOME: home,
      DOCKER_HOST: host.dockerHost,
      DOCKER_CONFIG: configDir,
    };
    if (host.tlsCa || host.tlsCert || host.tlsKey) {
      const certs = path.join(root, "certs");
      await mkdir(certs, { mode: 0o700 });
      await writeFile(path.join(certs, "ca.pem"), host.tlsCa ?? "", { mode: 0o600 });
      await writeFile(path.join(certs, "cert.pem"), host.tlsCert ?? "", { mode: 0o600 });
      await writeFile(path.join(certs, "key.pem"), host.tlsKey ?? "", { mode: 0o600 });
      Object.assign(env, { DOCKER_TLS_VERIFY: "1", DOCKER_CERT_PATH: certs });
    }
    if (host.sshPrivateKey) {
      // The CLI runs the system `ssh`; a private HOME gives it this key and nothing else.
      const ssh = path.join(home, ".ssh");
      await mkdir(ssh, { mode: 0o700 });
      const key = path.join(ssh, "id_dockyard");
      await writeFile(key, host.sshPrivateKey.endsWith("\n") ? host.sshPrivateKey : `${host.sshPrivateKey}\n`, { mode: 0o600 });
      await writeFile(
        path.join(ssh, "config"),
        `Host *\n  IdentityFile ${key}\n  IdentitiesOnly yes\n  StrictHostKeyChecking accept-new\n  UserKnownHostsFile ${path.join(ssh, "known_hosts")}\n`,
        { mode: 0o600 },
      );
    }
    const session: DockerSession = {
      configDir,
      workDir,
      env,
      run: (cmd) => runner(dockerCli, ["--config", configDir, ...cmd.args], { env, stdin: cmd.stdin, cwd: workDir }),
    };
    return await fn(session);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

export function loginCommand(server: string, username: string, password: string): DockerCommand {
  return { step: `docker login ${server}`, args: ["login", "--username", username, "--password-stdin", server], stdin: password };
}

export async function runChecked(session: DockerSession, cmd: DockerCommand, redact: (s: string) => string): Promise<RunResult> {
  const result = await session.run(cmd);
  if (result.code !== 0) {
    const reason = redact(result.stderr.trim() || result.stdout.trim()).split("\n").slice(-3).join(" ");
    throw new DockerError(cmd.step, `${cmd.step} failed: ${reason || `exit code ${result.code}`}`);
  }
  return result;
}

/** How a command reads in a preview or a log: the password shown as `****`. */
export function showCommand(cmd: DockerCommand): string {
  const line = ["docker", ...cmd.args].map((a) => (/[\s"'$]/.test(a) ? JSON.stringify(a) : a)).join(" ");
  return cmd.stdin === undefined ? line : `echo ${MASK} | ${line}`;
}

// ── Swarm ─────────────────────────────────────────────────────────────────────

export type WorkloadInput = {
  environmentSlug: string;
  container: { id: string; name: string; replicas: number; port: number | null };
  image: string;
  action: "deploy" | "scale" | "restart";
  /** Whether registry credentials go with the service (false for public images). */
  withRegistryAuth: boolean;
};

export const swarmServiceName = (w: Pick<WorkloadInput, "environmentSlug" | "container">) => `${w.environmentSlug}_${w.container.name}`;

export function swarmInspectCommand(w: WorkloadInput): DockerCommand {
  return { step: "docker service inspect", args: ["service", "inspect", "--format", "{{.ID}}", swarmServiceName(w)] };
}

/** `service create` for a new service, `service update` (with `--force` on restart) otherwise. */
export function swarmDeployCommand(w: WorkloadInput, exists: boolean): DockerCommand {
  const auth = w.withRegistryAuth ? ["--with-registry-auth"] : [];
  const name = swarmServiceName(w);
  if (!exists) {
    const publish = w.container.port ? ["--publish", `published=${w.container.port},target=${w.container.port}`] : [];
    return {
      step: "docker service create",
      args: ["service", "create", ...auth, "--name", name, "--replicas", String(w.container.replicas), "--label", `dockyard.dev/container-id=${w.container.id}`, ...publish, w.image],
    };
  }
  const force = w.action === "restart" ? ["--force"] : [];
  return {
    step: "docker service update",
    args: ["service", "update", ...auth, "--image", w.image, "--replicas", String(w.container.replicas), ...force, name],
  };
}

export function swarmRemoveCommand(w: Pick<WorkloadInput, "environmentSlug" | "container">): DockerCommand {
  return { step: "docker service rm", args: ["service", "rm", swarmServiceName(w)] };
}

// ── Compose ───────────────────────────────────────────────────────────────────

export const composeProject = (environmentSlug: string) => `env-${environmentSlug}`;

export function composeFile(w: WorkloadInput): string {
  return stringify({
    services: {
      [w.container.name]: {
        image: w.image,
        labels: { "dockyard.dev/container-id": w.container.id },
        ...(w.container.port ? { ports: [`${w.container.port}:${w.container.port}`] } : {}),
      },
    },
  });
}

/**
 * Compose commands for the plugin (`docker compose`) or the standalone `docker-compose`;
 * both read the login from DOCKER_CONFIG, which the session sets to its private directory.
 */
export function composeCommands(w: WorkloadInput, file: string, plugin: boolean): { pull: DockerCommand; up: DockerCommand } {
  const base = ["-p", composeProject(w.environmentSlug), "-f", file];
  const prefix = plugin ? ["compose", ...base] : base;
  const recreate = w.action === "restart" ? ["--force-recreate"] : [];
  return {
    pull: { step: "compose pull", args: [...prefix, "pull", w.container.name] },
    up: { step: "compose up", args: [...prefix, "up", "-d", "--no-build", ...recreate, "--scale", `${w.container.name}=${w.container.replicas}`, w.container.name] },
  };
}
