import "server-only";
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { isIP } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { stringify } from "yaml";
import { isEgressRefused, serverEgressPolicy, vettedAddress, type EgressPolicy } from "@/lib/egress";
import type { CommandRunner, RunResult } from "./command";
import { MASK, printableCapped } from "./redact";

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
  /** `ssh://` hosts: the host keys recorded on first use (known_hosts lines); enforced when set. */
  sshKnownHosts?: string | null;
  /** Called with the host keys ssh saw on a first connection, to be recorded. */
  onSshHostKeys?: (knownHosts: string) => Promise<void>;
};

/** The system ssh the wrapper runs (the wrapper itself is first in the session's PATH). */
const SSH_BINARY = "/usr/bin/ssh";

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
/**
 * DOCKER_HOST with its host name replaced by the address the egress policy vetted, so the CLI
 * (and ssh) connect exactly there. unix:// sockets are gated when the environment is saved.
 */
export async function vettedDockerHost(dockerHost: string, policy: EgressPolicy = serverEgressPolicy()): Promise<{ dockerHost: string; hostName?: string }> {
  if (dockerHost.startsWith("unix://")) return { dockerHost };
  let url: URL;
  try {
    url = new URL(dockerHost);
  } catch {
    throw new DockerError("docker host", `The Docker host ${dockerHost} is not a URL`);
  }
  const hostName = url.hostname.replace(/^\[|\]$/g, "");
  let address: string;
  try {
    address = await vettedAddress(hostName, policy);
  } catch (err) {
    if (isEgressRefused(err)) throw new DockerError("docker host", `Docker host not contacted: ${err.message}`);
    throw new DockerError("docker host", `Cannot reach the Docker host: ${hostName} does not resolve`);
  }
  url.hostname = isIP(address) === 6 ? `[${address}]` : address;
  return { dockerHost: url.toString().replace(/\/$/, ""), hostName };
}

export async function withDockerSession<T>(
  host: DockerHost,
  runner: CommandRunner,
  dockerCli: string,
  fn: (session: DockerSession) => Promise<T>,
  opts: { policy?: EgressPolicy } = {},
): Promise<T> {
  const vetted = await vettedDockerHost(host.dockerHost, opts.policy);
  const root = await mkdtemp(path.join(tmpdir(), "dockyard-docker-"));
  await chmod(root, 0o700);
  const knownHostsFile = path.join(root, "home", ".ssh", "known_hosts");
  try {
    const configDir = path.join(root, "config");
    const workDir = path.join(root, "work");
    const home = path.join(root, "home");
    await Promise.all([mkdir(configDir, { mode: 0o700 }), mkdir(workDir, { mode: 0o700 }), mkdir(home, { mode: 0o700 })]);
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin",
      HOME: home,
      DOCKER_HOST: vetted.dockerHost,
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
      // The CLI runs `ssh` from PATH. ssh reads ~/.ssh of the passwd entry, not $HOME, so a
      // wrapper first in PATH hands it this session's config: this key and nothing else.
      const ssh = path.join(home, ".ssh");
      await mkdir(ssh, { mode: 0o700 });
      const key = path.join(ssh, "id_dockyard");
      await writeFile(key, host.sshPrivateKey.endsWith("\n") ? host.sshPrivateKey : `${host.sshPrivateKey}\n`, { mode: 0o600 });
      // Keys are known by the name the user typed, although ssh connects to the vetted address.
      // A key recorded on first use is enforced from then on: a changed key is refused.
      const known = !!host.sshKnownHosts;
      if (known) await writeFile(knownHostsFile, host.sshKnownHosts!, { mode: 0o600 });
      const config = path.join(ssh, "config");
      await writeFile(
        config,
        `Host *\n  IdentityFile ${key}\n  IdentitiesOnly yes\n  StrictHostKeyChecking ${known ? "yes" : "accept-new"}\n  UserKnownHostsFile ${knownHostsFile}\n  GlobalKnownHostsFile /dev/null\n  BatchMode yes\n${vetted.hostName ? `  HostKeyAlias ${vetted.hostName}\n` : ""}`,
        { mode: 0o600 },
      );
      const bin = path.join(root, "bin");
      await mkdir(bin, { mode: 0o700 });
      await writeFile(path.join(bin, "ssh"), `#!/bin/sh\nexec ${SSH_BINARY} -F '${config}' "$@"\n`, { mode: 0o700 });
      env.PATH = `${bin}:${env.PATH}`;
    }
    const session: DockerSession = {
      configDir,
      workDir,
      env,
      run: (cmd) => runner(dockerCli, ["--config", configDir, ...cmd.args], { env, stdin: cmd.stdin, cwd: workDir }),
    };
    return await fn(session);
  } finally {
    if (host.sshPrivateKey && !host.sshKnownHosts && host.onSshHostKeys) {
      const seen = await readFile(knownHostsFile, "utf8").catch(() => "");
      if (seen.trim()) await host.onSshHostKeys(seen);
    }
    await rm(root, { recursive: true, force: true });
  }
}

export function loginCommand(server: string, username: string, password: string): DockerCommand {
  return { step: `docker login ${server}`, args: ["login", "--username", username, "--password-stdin", server], stdin: password };
}

export type DockerFailure = "credentials" | "not_found" | "tls" | "network" | "host_key" | "other";

const FAILURES: [DockerFailure, RegExp, string][] = [
  ["host_key", /host key verification failed|remote host identification has changed|host key for .* has changed/i, "the Docker host's SSH host key is not the one recorded when it was first used; if the host was rebuilt, check its new key and record it again"],
  ["credentials", /unauthorized|authentication required|incorrect username or password|denied: requested access|status(?: code)? 401|\b401\b/i, "the registry refused the credentials"],
  ["not_found", /manifest unknown|not found|no such image|repository does not exist|pull access denied|name unknown/i, "the image was not found, or these credentials may not pull it"],
  ["tls", /x509|certificate|tls:|ssl/i, "the TLS connection failed (certificate not trusted or not for this host)"],
  ["network", /connection refused|no such host|i\/o timeout|network is unreachable|cannot connect to the docker daemon|dial tcp|connection reset|timed out|could not resolve/i, "the host could not be reached"],
];

const LINE_CAP = 200;

/** A CLI failure in words, with at most one capped, redacted line of what the tool said. */
export function classifyDockerFailure(output: string, redact: (s: string) => string): { kind: DockerFailure; words: string; detail: string } {
  const [kind, , words] = FAILURES.find(([, pattern]) => pattern.test(output)) ?? ["other", /./, "the command failed"];
  const lines = redact(output)
    .split(/\r?\n/)
    .map((l) => printableCapped(l, LINE_CAP))
    .filter(Boolean);
  return { kind, words, detail: lines.at(-1) ?? "" };
}

export async function runChecked(session: DockerSession, cmd: DockerCommand, redact: (s: string) => string): Promise<RunResult> {
  const result = await session.run(cmd);
  if (result.code !== 0) {
    const { words, detail } = classifyDockerFailure(`${result.stderr}\n${result.stdout}`.trim(), redact);
    throw new DockerError(cmd.step, `${cmd.step} failed: ${words}${detail ? ` (${detail})` : ` (exit code ${result.code})`}`);
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

/**
 * `service create` for a new service, `service update` (with `--force` on restart) otherwise.
 * `--detach`: without it the CLI waits for convergence and never returns while tasks cannot pull;
 * the deploy reads the tasks itself, with its own timeout.
 */
export function swarmDeployCommand(w: WorkloadInput, exists: boolean): DockerCommand {
  const auth = w.withRegistryAuth ? ["--with-registry-auth"] : [];
  const name = swarmServiceName(w);
  if (!exists) {
    const publish = w.container.port ? ["--publish", `published=${w.container.port},target=${w.container.port}`] : [];
    return {
      step: "docker service create",
      args: ["service", "create", "--detach", ...auth, "--name", name, "--replicas", String(w.container.replicas), "--label", `dockyard.dev/container-id=${w.container.id}`, ...publish, w.image],
    };
  }
  const force = w.action === "restart" ? ["--force"] : [];
  return {
    step: "docker service update",
    args: ["service", "update", "--detach", ...auth, "--image", w.image, "--replicas", String(w.container.replicas), ...force, name],
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
export function composeCommands(w: WorkloadInput, file: string, plugin: boolean): { pull: DockerCommand; confirmPull: DockerCommand; up: DockerCommand } {
  const base = ["-p", composeProject(w.environmentSlug), "-f", file];
  const prefix = plugin ? ["compose", ...base] : base;
  const recreate = w.action === "restart" ? ["--force-recreate"] : [];
  return {
    pull: { step: "compose pull", args: [...prefix, "pull", w.container.name] },
    // docker-compose v1 exits 0 when the engine refuses a pull: the engine itself confirms it.
    confirmPull: { step: "docker pull", args: ["pull", "--quiet", w.image] },
    up: { step: "compose up", args: [...prefix, "up", "-d", "--no-build", ...recreate, "--scale", `${w.container.name}=${w.container.replicas}`, w.container.name] },
  };
}
