// Shared by the benchmark scripts: a production server on a fresh database, a browser sign-up,
// a signed-in cookie jar, and a small closed-loop load generator.
import { spawn, execFileSync } from "node:child_process";
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

export async function startServer({ port, databaseUrl }) {
  const env = { ...process.env, NEXT_TELEMETRY_DISABLED: "1", DATA_DIR: mkdtempSync(path.join(tmpdir(), "regdash-bench-")), LOG_LEVEL: "warn" };
  if (databaseUrl) env.DATABASE_URL = databaseUrl;
  else delete env.DATABASE_URL;
  env.PORT = String(port);
  // The production server `npm start` runs. BENCH_NODE_OPTIONS adds flags, e.g. `--cpu-prof`.
  const nodeArgs = (process.env.BENCH_NODE_OPTIONS ?? "").split(" ").filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, "scripts/server.mjs"], { cwd: root, env, stdio: ["ignore", "ignore", "inherit"] });
  const base = `http://localhost:${port}`;
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${base}/api/health`)).ok) break;
    } catch {}
    if (i > 300) throw new Error("server did not become healthy");
    await new Promise((r) => setTimeout(r, 200));
  }
  return { base, child, stop: () => child.kill("SIGTERM") };
}

/** A process and its children (`next start` may serve from a child). */
function processTree(pid) {
  const pids = [pid];
  try {
    pids.push(...execFileSync("pgrep", ["-P", String(pid)], { encoding: "utf8" }).trim().split("\n").filter(Boolean).map(Number));
  } catch {}
  return pids;
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

/** The account is made the way a person makes one: the sign-up page, in Chromium. Returns the team URL. */
export async function signUpInBrowser(base, email, password) {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  const page = await browser.newPage();
  await page.goto(`${base}/sign-up`);
  await page.getByLabel("Name").fill("Bench");
  await page.getByLabel("E-mail").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Create account" }).click();
  await page.waitForURL(/\/t\//);
  const url = page.url();
  await browser.close();
  return url;
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

/** `total` GET requests from `concurrency` closed-loop workers; latencies in ms. */
export async function load(url, { total, concurrency, headers = {}, check = () => true }) {
  const latencies = [];
  let next = 0;
  let failures = 0;
  const worker = async () => {
    while (next < total) {
      next++;
      const t0 = performance.now();
      const res = await fetch(url, { headers, redirect: "manual" });
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
  return { median: pct(50), p95: pct(95), max: latencies.at(-1).toFixed(1), rps: (total / seconds).toFixed(0), failures };
}
