import { spawn, type ChildProcess } from "node:child_process";
import { mkdir, mkdtemp, open, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { stopProcess, whenEnded } from "./processes";

/**
 * A real Docker-compatible engine for tests: `podman system service` (rootful) on a socket of its
 * own, so the Docker CLI and docker-compose can talk to it through DOCKER_HOST. Logins and pulls
 * are performed by the engine itself, against registries it trusts through
 * /etc/containers/certs.d (see startTestRegistry).
 */
export interface PodmanEngine {
  /** "unix:///tmp/podman-engine-…/podman.sock", for DOCKER_HOST or `docker --host`. */
  dockerHost: string;
  /** The service's own log; kept out of the test output. */
  logFile: string;
  /** Stops the service and removes its storage. Safe to call more than once. */
  stop(): Promise<void>;
}

export async function startPodmanEngine(): Promise<PodmanEngine> {
  const workDir = await mkdtemp(path.join(tmpdir(), "podman-engine-"));
  const dockerHost = `unix://${path.join(workDir, "podman.sock")}`;
  const logFile = path.join(workDir, "podman.log");
  const homeDir = path.join(workDir, "home");

  let child: { process: ChildProcess; ended: Promise<string> } | undefined;
  const killOnExit = () => child?.process.kill("SIGKILL");
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    process.off("exit", killOnExit);
    if (child) await stopProcess(child.process, child.ended);
    await rm(workDir, { recursive: true, force: true });
  };

  try {
    await mkdir(homeDir);
    const log = await open(logFile, "w");
    try {
      const service = spawn(
        "podman",
        [
          // Storage, run state and the lock/events dir all live in the temp dir: nothing is shared
          // with the host's podman, nor with another engine started by a parallel test file.
          "--root", path.join(workDir, "root"),
          "--runroot", path.join(workDir, "runroot"),
          "--tmpdir", path.join(workDir, "tmp"),
          // overlay leaves its storage mount behind when the service is stopped (it would then
          // block removing the temp dir); vfs uses plain directories, plenty for tiny test images.
          "--storage-driver", "vfs",
          // /etc/containers/libpod.conf asks for systemd cgroups and events go to journald by
          // default; neither runs in this container, so say so instead of relying on fallbacks.
          "--cgroup-manager", "cgroupfs",
          "--events-backend", "file",
          "system", "service", "--time=0", dockerHost,
        ],
        {
          stdio: ["ignore", log.fd, log.fd],
          // A pull that carries no credentials falls back to the engine's own auth files
          // ($XDG_RUNTIME_DIR/containers/auth.json, ~/.docker/config.json); pointing those at an
          // empty dir keeps logins made on the host out of the tests. (crun keeps its state under
          // XDG_RUNTIME_DIR too, which is fine: it then lives in the temp dir as well.)
          env: { ...withoutDockerEnv(process.env), HOME: homeDir, XDG_RUNTIME_DIR: homeDir },
        },
      );
      child = { process: service, ended: whenEnded(service) };
    } finally {
      await log.close();
    }
    process.on("exit", killOnExit);
    await waitUntilDockerAnswers(child.ended, dockerHost, homeDir, logFile);
    return { dockerHost, logFile, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** The environment minus variables that would point the Docker CLI or podman elsewhere. */
export function withoutDockerEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const rest = { ...env };
  for (const name of ["DOCKER_HOST", "DOCKER_CONTEXT", "DOCKER_CONFIG", "DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH", "REGISTRY_AUTH_FILE", "CONTAINER_HOST"]) {
    delete rest[name];
  }
  return rest;
}

async function waitUntilDockerAnswers(ended: Promise<string>, dockerHost: string, configDir: string, logFile: string): Promise<void> {
  let endedWhy: string | undefined;
  void ended.then((why) => (endedWhy = why));
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (endedWhy !== undefined) throw new Error(`podman system service ${endedWhy}. Log:\n${await readLogTail(logFile)}`);
    if (await dockerVersionAnswers(dockerHost, configDir)) return;
    if (Date.now() > deadline) throw new Error(`podman system service did not answer in time. Log:\n${await readLogTail(logFile)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function dockerVersionAnswers(dockerHost: string, configDir: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = spawn("docker", ["--config", configDir, "version", "--format", "{{.Server.APIVersion}}"], {
      stdio: "ignore",
      env: { ...withoutDockerEnv(process.env), DOCKER_HOST: dockerHost },
      timeout: 5000,
    });
    probe.on("error", () => resolve(false));
    probe.on("close", (code) => resolve(code === 0));
  });
}

async function readLogTail(logFile: string): Promise<string> {
  return (await readFile(logFile, "utf8").catch(() => "")).slice(-2000);
}


