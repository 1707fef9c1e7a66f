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
