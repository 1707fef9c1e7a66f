#!/usr/bin/env node
// `npm start`: installs dependencies and builds when needed, then serves the dashboard.
// On a fresh clone this is the only command to run; with no DATABASE_URL it uses embedded PGlite under .data/.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");
const env = { ...process.env, NEXT_TELEMETRY_DISABLED: "1" };

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: "inherit", env });
  if (r.status !== 0) {
    console.error(`\n${cmd} ${args.join(" ")} failed (exit ${r.status ?? r.signal}).`);
    process.exit(r.status ?? 1);
  }
}

function newestMtime(entry) {
  const full = path.join(root, entry);
  if (!existsSync(full)) return 0;
  const st = statSync(full);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const child of readdirSync(full)) newest = Math.max(newest, newestMtime(path.join(entry, child)));
  return newest;
}

const installed = path.join(root, "node_modules/.package-lock.json");
if (!existsSync(installed) || statSync(installed).mtimeMs < statSync(path.join(root, "package-lock.json")).mtimeMs) {
  console.log("› Installing dependencies (npm ci)…");
  run("npm", ["ci", "--no-audit", "--no-fund"]);
}

const buildId = path.join(root, ".next/BUILD_ID");
const sources = ["app", "components", "lib", "db", "drizzle", "public", "proxy.ts", "instrumentation.ts", "instrumentation-client.ts", "next.config.ts", "package-lock.json", "postcss.config.mjs"];
const sourceTime = Math.max(...sources.map(newestMtime));
if (!existsSync(buildId) || statSync(buildId).mtimeMs < sourceTime) {
  console.log("› Building the dashboard (next build)…");
  run("npx", ["next", "build"]);
}
// The embedded database's migrated data dir, made in a child process when it is missing or its
// migrations changed (see db/pglite-template.mjs).
if (!process.env.DATABASE_URL) {
  const { templateIsCurrent } = await import("../db/pglite-template.mjs");
  // Only a saving: without it the server runs initdb and the migrations itself, more slowly.
  if (!templateIsCurrent() && spawnSync(process.execPath, ["db/pglite-template.mjs"], { cwd: root, stdio: "inherit", env }).status !== 0) {
    console.warn("› The embedded database template could not be made; the server will initialise the database itself.");
  }
}

const port = process.env.PORT ?? "3000";
console.log(`› Starting on http://localhost:${port} (${process.env.DATABASE_URL ? "PostgreSQL from DATABASE_URL" : "embedded database in .data/"})`);
// With the embedded database the server is sized for one small installation: V8 keeps its young
// generation committed once grown, and 2 MB semi-spaces instead of 16 keep about 20 MiB less at
// idle (40-60 after use), for about a tenth more CPU per page.
const nodeFlags = process.env.DATABASE_URL ? [] : ["--max-semi-space-size=2"];
// scripts/server.mjs rather than `next start`: it tells the app each request's client address.
const server = spawn(process.execPath, [...nodeFlags, "scripts/server.mjs"], { cwd: root, stdio: "inherit", env: { ...env, PORT: port } });
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => server.kill(signal));
server.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
