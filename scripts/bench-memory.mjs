#!/usr/bin/env node
// Prints the server's resident memory idle and after N sign-ins in a row (default 200),
// through the real Auth.js flow (CSRF token, credentials callback). Needs a production build.
//   node scripts/bench-memory.mjs [count]
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { chromium } from "@playwright/test";

const root = path.resolve(import.meta.dirname, "..");
const count = Number(process.argv[2] ?? 200);
const port = "3290";
const base = `http://localhost:${port}`;
const server = spawn(process.execPath, ["node_modules/next/dist/bin/next", "start", "-p", port], {
  cwd: root,
  env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", DATA_DIR: mkdtempSync(path.join(tmpdir(), "regdash-bench-")), LOG_LEVEL: "warn" },
  stdio: ["ignore", "ignore", "inherit"],
});

function treePids(pid) {
  let children = [];
  try {
    children = execFileSync("pgrep", ["-P", String(pid)], { encoding: "utf8" }).trim().split("\n").filter(Boolean).map(Number);
  } catch {}
  return [pid, ...children.flatMap(treePids)];
}
function memory() {
  let rss = 0, peak = 0;
  for (const pid of treePids(server.pid)) {
    try {
      const status = readFileSync(`/proc/${pid}/status`, "utf8");
      rss += Number(status.match(/VmRSS:\s+(\d+)/)?.[1] ?? 0);
      peak += Number(status.match(/VmHWM:\s+(\d+)/)?.[1] ?? 0);
    } catch {}
  }
  return { rssMiB: (rss / 1024).toFixed(1), peakMiB: (peak / 1024).toFixed(1) };
}

async function until(fn) {
  for (let i = 0; i < 300; i++) {
    try { if (await fn()) return; } catch {}
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error("server did not become healthy");
}

const cookieJar = new Map();
function remember(res) {
  for (const c of res.headers.getSetCookie()) {
    const [pair] = c.split(";");
    const [k, v] = pair.split("=");
    cookieJar.set(k, v);
  }
}
const cookies = () => [...cookieJar].map(([k, v]) => `${k}=${v}`).join("; ");

async function signIn(email, password) {
  const csrfRes = await fetch(`${base}/api/auth/csrf`, { headers: { cookie: cookies() } });
  remember(csrfRes);
  const { csrfToken } = await csrfRes.json();
  const res = await fetch(`${base}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: cookies() },
    body: new URLSearchParams({ csrfToken, email, password, callbackUrl: "/" }),
  });
  remember(res);
  const location = res.headers.get("location") ?? "";
  if (location.includes("error")) throw new Error(`sign-in failed: ${location}`);
}

/** The account is made the way a person makes one: the sign-up page, in Chromium. */
async function signUpInBrowser(email, password) {
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
  await browser.close();
}

try {
  await until(async () => (await fetch(`${base}/api/health`)).ok);
  await new Promise((r) => setTimeout(r, 2000));
  const idle = memory();
  console.log(`idle: rss ${idle.rssMiB} MiB, peak ${idle.peakMiB} MiB`);

  const email = `bench-${Date.now()}@example.test`;
  const password = "bench-password-123";
  await signUpInBrowser(email, password);
  const started = Date.now();
  for (let i = 0; i < count; i++) {
    cookieJar.clear();
    await signIn(email, password);
  }
  const seconds = (Date.now() - started) / 1000;
  const after = memory();
  console.log(`after ${count} sign-ins (${seconds.toFixed(1)} s, ${((seconds * 1000) / count).toFixed(0)} ms each): rss ${after.rssMiB} MiB, peak ${after.peakMiB} MiB`);
} finally {
  server.kill("SIGTERM");
}
