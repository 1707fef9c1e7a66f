import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import path from "node:path";
import postgres from "postgres";

/**
 * Production servers of the dashboard started by a spec itself (beside the suite's own server of
 * e2e/serve.mjs): the standalone image layout, or several replicas on one database. Each gets a
 * fresh PostgreSQL database, dropped by `dropDatabase`.
 */

export const ROOT = path.resolve(import.meta.dirname, "..");
const adminUrl = process.env.TEST_DATABASE_ADMIN_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

/** Fixed, test-only secrets, so that a spec can look for them in the logs. */
export const TEST_SECRETS = {
  AUTH_SECRET: "e2e-auth-secret-for-spawned-servers-0123456789",
  CREDENTIALS_KEY: Buffer.alloc(32, 42).toString("base64"),
  METRICS_TOKEN: "e2e-metrics-token-0123456789abcdef",
};

/** A port nothing listens on now (the kernel's pick), never the suite's E2E_PORT. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export async function createDatabase(label: string): Promise<{ url: string; name: string }> {
  const name = `regdash_${label}_${Date.now()}_${process.pid}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database "${name}"`);
  await admin.end();
  return { url: Object.assign(new URL(adminUrl), { pathname: `/${name}` }).toString(), name };
}

export async function dropDatabase(name: string) {
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`drop database if exists "${name}" with (force)`);
  await admin.end();
}

export type Server = {
  url: string;
  port: number;
  process: ChildProcess;
  /** Everything it printed (stdout and stderr), in order. */
  output: () => string;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
};

/** Starts `node <script>` in `cwd` with `env` on a free port (PORT), printing into `output`. */
export async function startServer(opts: { cwd: string; script?: string; env: Record<string, string> }): Promise<Server> {
  const port = await freePort();
  const chunks: string[] = [];
  const child = spawn(process.execPath, [opts.script ?? "scripts/server.mjs"], {
    cwd: opts.cwd,
    // Only what a deployment would set: nothing of this test process's own environment leaks in.
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1", ...opts.env, PORT: String(port) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout.on("data", (c: Buffer) => chunks.push(c.toString()));
  child.stderr.on("data", (c: Buffer) => chunks.push(c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { url: `http://localhost:${port}`, port, process: child, output: () => chunks.join(""), exited };
}

/** Polls `path` until it answers 200; throws with the server's output when it exits or times out. */
export async function waitUntilOk(server: Server, pathname = "/api/ready", timeoutMs = 90_000): Promise<number> {
  const started = Date.now();
  let done = false;
  const died = server.exited.then((code) => {
    if (!done) throw new Error(`server exited (${code}) before ${pathname} answered 200:\n${server.output()}`);
  });
  try {
    while (Date.now() - started < timeoutMs) {
      const ok = await Promise.race([
        fetch(`${server.url}${pathname}`).then((r) => r.ok, () => false),
        died.then(() => false),
      ]);
      if (ok) return Date.now() - started;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`${pathname} did not answer 200 within ${timeoutMs} ms:\n${server.output()}`);
  } finally {
    done = true;
  }
}

/** The JSON log lines a server printed (pino), skipping its plain start-up lines. */
export function logLines(output: string): Record<string, unknown>[] {
  return output
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** One Prometheus sample's value, summed over the series whose labels include `labels`. */
export function metricValue(exposition: string, name: string, labels: Record<string, string> = {}): number {
  let total = 0;
  for (const line of exposition.split("\n")) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[2] ?? "").matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map(([, k, v]) => [k, v]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) total += Number(m[3]);
  }
  return total;
}

export async function scrape(url: string): Promise<string> {
  const res = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${TEST_SECRETS.METRICS_TOKEN}` } });
  if (!res.ok) throw new Error(`/metrics answered ${res.status}`);
  return res.text();
}
