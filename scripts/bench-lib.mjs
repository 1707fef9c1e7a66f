// Shared by the benchmark scripts: a production server on a fresh database, a browser sign-up,
// a signed-in cookie jar, and a small closed-loop load generator.
import { spawn, execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import postgres from "postgres";
import { chromium } from "@playwright/test";

export const root = path.resolve(import.meta.dirname, "..");
const adminUrl = process.env.TEST_DATABASE_ADMIN_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

/** A fresh PostgreSQL database for one benchmark run; `drop()` removes it. */
export async function freshDatabase(prefix) {
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  const name = `${prefix}_${Date.now()}`;
  await admin.unsafe(`create database "${name}"`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      await admin.unsafe(`drop database if exists "${name}" with (force)`);
      await admin.end();
    },
  };
}

/**
 * A production server on `port`: scripts/server.mjs, which `npm start` and the image run, unless
 * `script` names another (scripts/start.mjs: as `npm start` runs it); `env` adds settings (secrets
 * shared by replicas); `dataDir` reuses a data dir (else a new one). It is up when `readyPath`
 * answers 200, `healthyMs` after spawning it; `stop()` resolves when it has exited.
 */
export async function startServer({ port, databaseUrl, env: extra = {}, script = "scripts/server.mjs", readyPath = "/api/health", dataDir = mkdtempSync(path.join(tmpdir(), "regdash-bench-")) }) {
  const env = { ...process.env, NEXT_TELEMETRY_DISABLED: "1", DATA_DIR: dataDir, LOG_LEVEL: "warn", ...extra, PORT: String(port) };
  if (databaseUrl) env.DATABASE_URL = databaseUrl;
  else delete env.DATABASE_URL;
  // BENCH_NODE_OPTIONS adds flags to the server's node, e.g. `--cpu-prof`.
  const nodeArgs = (process.env.BENCH_NODE_OPTIONS ?? "").split(" ").filter(Boolean);
  const spawned = performance.now();
  const child = spawn(process.execPath, [...nodeArgs, script], { cwd: root, env, stdio: ["ignore", "ignore", "inherit"] });
  const exited = once(child, "exit");
  const base = `http://localhost:${port}`;
  while (!(await fetch(`${base}${readyPath}`).then((r) => r.ok, () => false))) {
    if (child.exitCode !== null) throw new Error(`server exited (${child.exitCode}) before it was healthy`);
    if (performance.now() - spawned > 60_000) throw new Error("server did not become healthy");
    await new Promise((r) => setTimeout(r, 50));
  }
  const healthyMs = performance.now() - spawned;
  return { base, port, child, dataDir, healthyMs, stop: () => (child.kill("SIGTERM"), exited) };
}

/** The processes a process started (`npm start` serves from a child). */
export function childrenOf(pid) {
  try {
    return execFileSync("pgrep", ["-P", String(pid)], { encoding: "utf8" }).trim().split("\n").filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** A process and its children (`next start` may serve from a child). */
function processTree(pid) {
  return [pid, ...childrenOf(pid)];
}

/** CPU time (user + system, ms) a process and its children have used so far; deltas give CPU per request. */
export function cpuMsOf(pid) {
  const ticksPerSecond = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }));
  let ticks = 0;
  for (const p of processTree(pid)) {
    try {
      // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
      const fields = readFileSync(`/proc/${p}/stat`, "utf8").split(") ")[1].split(" ");
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {}
  }
  return (ticks * 1000) / ticksPerSecond;
}

/** CPU time of the whole machine so far, every process and core (/proc/stat, in ticks): deltas give how busy it was. */
export function machineTicks() {
  const [, ...fields] = readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).map(Number);
  // user nice system idle iowait irq softirq steal: idle and iowait are the idle part.
  const total = fields.slice(0, 8).reduce((a, b) => a + b, 0);
  return { total, busy: total - fields[3] - fields[4] };
}

/** Resident and peak memory (MiB) of a process and its children. */
export function memoryOf(pid) {
  const pids = processTree(pid);
  let rss = 0;
  let peak = 0;
  for (const p of pids) {
    try {
      const status = readFileSync(`/proc/${p}/status`, "utf8");
      rss += Number(status.match(/VmRSS:\s+(\d+)/)?.[1] ?? 0);
      peak += Number(status.match(/VmHWM:\s+(\d+)/)?.[1] ?? 0);
    } catch {}
  }
  return { rssMiB: (rss / 1024).toFixed(1), peakMiB: (peak / 1024).toFixed(1) };
}

/** A Chromium page for `steps`, closed after them. */
async function inBrowser(steps) {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  try {
    return await steps(await browser.newPage());
  } finally {
    await browser.close();
  }
}

/** The account is made the way a person makes one: the sign-up page, in Chromium. Returns the team URL. */
export async function signUpInBrowser(base, email, password) {
  return inBrowser(async (page) => {
    await page.goto(`${base}/sign-up`);
    await page.getByLabel("Name").fill("Bench");
    await page.getByLabel("E-mail").fill(email);
    await page.getByLabel("Password").fill(password);
    await page.getByRole("button", { name: "Create account" }).click();
    await page.waitForURL(/\/t\//);
    return page.url();
  });
}

/**
 * `count` personal access tokens for the account's own team, made as a person makes them: signed
 * in, Account → API tokens, each shown once. Several, because each token may make 120 requests a minute.
 */
export async function apiTokensInBrowser(base, email, password, count) {
  return inBrowser(async (page) => {
    await page.goto(`${base}/sign-in`);
    await page.getByLabel("E-mail").fill(email);
    await page.getByLabel("Password").fill(password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(/\/t\//);
    const tokens = [];
    for (let i = 0; i < count; i++) {
      await page.goto(`${base}/account`);
      await page.getByLabel("Name", { exact: true }).fill(`bench ${i}`);
      await page.getByRole("button", { name: "Create token" }).click();
      const shown = page.getByLabel("The new token");
      await shown.waitFor();
      tokens.push(await shown.inputValue());
    }
    return tokens;
  });
}

/**
 * Registries shaped like saved Custom ones (the list never decrypts, so the envelope is opaque) in
 * the team of the user with `email`, numbered `from` up to `count` - 1, so a team can be grown; then ANALYZE.
 */
export async function seedRegistries(sql, email, count, { from = 0 } = {}) {
  const [{ team_id: teamId, user_id: userId }] = await sql`
    select m.team_id, m.user_id from memberships m join users u on u.id = m.user_id where u.email = ${email}`;
  for (let start = from; start < count; start += 1000) {
    const batch = Array.from({ length: Math.min(1000, count - start) }, (_, k) => {
      const i = start + k;
      return {
        id: `reg-${randomBytes(6).toString("hex")}`,
        team_id: teamId,
        name: `registry ${String(i).padStart(4, "0")}`,
        type: "Custom",
        visible_fields: { url: `https://registry-${i}.example.com`, username: "deployer" },
        secret_ciphertext: `v1.k1.${randomBytes(12).toString("base64url")}.${randomBytes(48).toString("base64url")}.${randomBytes(16).toString("base64url")}`,
        key_id: "k1",
        created_by: userId,
      };
    });
    await sql`insert into registries ${sql(batch)}`;
  }
  await sql`analyze registries`;
  return { teamId, userId };
}

/** Signs in through the Auth.js credentials flow (CSRF token, callback); returns the Cookie header. */
export async function signInCookie(base, email, password) {
  const jar = new Map();
  const remember = (res) => {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(";");
      const i = pair.indexOf("=");
      jar.set(pair.slice(0, i), pair.slice(i + 1));
    }
  };
  const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join("; ");
  const csrf = await fetch(`${base}/api/auth/csrf`);
  remember(csrf);
  const { csrfToken } = await csrf.json();
  const res = await fetch(`${base}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: cookie() },
    body: new URLSearchParams({ csrfToken, email, password, callbackUrl: "/" }),
  });
  remember(res);
  if ((res.headers.get("location") ?? "").includes("error")) throw new Error("sign-in failed");
  return cookie();
}

/**
 * `total` GET requests from `concurrency` closed-loop workers; latencies in ms. `headers` may be a
 * function, called once per request (a different API token each time, say).
 */
export async function load(url, { total, concurrency, headers = {}, check = () => true }) {
  const latencies = [];
  let next = 0;
  let failures = 0;
  const worker = async () => {
    while (next < total) {
      next++;
      const t0 = performance.now();
      const res = await fetch(url, { headers: typeof headers === "function" ? headers() : headers, redirect: "manual" });
      const body = await res.text();
      latencies.push(performance.now() - t0);
      if (res.status !== 200 || !check(body)) failures++;
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - t0) / 1000;
  latencies.sort((a, b) => a - b);
  const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))].toFixed(1);
  return { median: pct(50), p95: pct(95), p99: pct(99), max: latencies.at(-1).toFixed(1), rps: (total / seconds).toFixed(0), seconds, failures };
}
