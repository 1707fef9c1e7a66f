// Shared by the benchmarks that run server code in-process: a fresh database and the app's
// environment (set before the app is imported, since it reads its environment once), and
// Kubernetes environments created as a user would.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import postgres from "postgres";

type EnvironmentService = typeof import("@/lib/environments/service");

/**
 * A fresh database on the local PostgreSQL (TEST_DATABASE_ADMIN_URL) with the app pointed at it.
 * Loopback egress is allowed: the test parts (kube test server, registries, fake ECR) listen there.
 */
export async function benchDatabase(prefix: string, env: Record<string, string> = {}) {
  const adminUrl = process.env.TEST_DATABASE_ADMIN_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
  const name = `${prefix}_${Date.now()}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database "${name}"`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  Object.assign(process.env, {
    DATABASE_URL: url.toString(),
    DATA_DIR: mkdtempSync(path.join(tmpdir(), `${prefix}-`)),
    AUTH_SECRET: "bench-auth-secret-that-is-long-enough-0123456789",
    CREDENTIALS_KEY: Buffer.alloc(32, 9).toString("base64"),
    LOG_LEVEL: "silent",
    EGRESS_ALLOWED_NETWORKS: "127.0.0.0/8,::1/128",
    ...env,
  });
  return {
    drop: async () => {
      await admin.unsafe(`drop database if exists "${name}" with (force)`);
      await admin.end();
    },
  };
}

/** `count` Kubernetes environments `bench-<i>` on the API server of `kubeconfig`; their ids. */
export async function kubeEnvironments(
  team: Parameters<EnvironmentService["createEnvironment"]>[0],
  user: Parameters<EnvironmentService["createEnvironment"]>[1],
  kubeconfig: string,
  count: number,
): Promise<string[]> {
  const { createEnvironment } = await import("@/lib/environments/service");
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const { environmentId } = await createEnvironment(team, user, {
      name: `env ${i}`,
      slug: `bench-${i}`,
      orchestrator: "kubernetes",
      kubeMode: "kubeconfig",
      kubeconfig,
      dockerHost: "",
      sshPrivateKey: "",
      tlsCa: "",
      tlsCert: "",
      tlsKey: "",
    });
    ids.push(environmentId);
  }
  return ids;
}

/**
 * The Kubernetes API test server in a child process (scripts/kube-server-process.ts), as a real
 * cluster would be: its work is not counted as the dashboard's, nor does it take the dashboard's
 * thread. The same controls as the in-process server, asynchronous.
 */
export async function kubeServerProcess() {
  const { fork } = await import("node:child_process");
  const child = fork(path.join(import.meta.dirname, "kube-server-process.ts"), [], { execArgv: ["--import", "tsx"], stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const pending = new Map<number, (value: unknown) => void>();
  let nextId = 0;
  const kubeconfig = await new Promise<string>((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`the Kubernetes test server exited (${code}) before it was ready`)));
    child.on("message", (message: { ready?: true; kubeconfigYaml?: string; id?: number; value?: unknown }) => {
      if (message.ready) resolve(message.kubeconfigYaml!);
      else if (message.id !== undefined) {
        pending.get(message.id)?.(message.value);
        pending.delete(message.id);
      }
    });
  });
  const ask = <T>(op: string, extra: Record<string, unknown> = {}) =>
    new Promise<T>((resolve) => {
      const id = nextId++;
      pending.set(id, resolve as (value: unknown) => void);
      child.send({ id, op, ...extra });
    });
  return {
    kubeconfigYaml: () => kubeconfig,
    setLatency: (ms: number) => ask<void>("setLatency", { ms }),
    reset: () => ask<void>("reset"),
    requestCount: () => ask<number>("requestCount"),
    close: () => ask<void>("close"),
  };
}
