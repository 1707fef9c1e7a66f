#!/usr/bin/env node
// The server the browser tests run against: the production build, on a fresh PostgreSQL
// database of its own (databases of runs hours old are dropped first) and a throw-away data dir.
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import postgres from "postgres";

const root = path.resolve(import.meta.dirname, "..");
const adminUrl = process.env.TEST_DATABASE_ADMIN_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const port = process.env.E2E_PORT ?? "3210";

const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
// Only databases of runs long over: another run on this machine may be using a recent one.
const staleBefore = Date.now() - 2 * 60 * 60 * 1000;
const old = await admin`select datname from pg_database where datname like 'regdash_e2e_%'`;
for (const { datname } of old) {
  if (Number(datname.slice("regdash_e2e_".length)) < staleBefore) await admin.unsafe(`drop database if exists "${datname}" with (force)`);
}
const name = `regdash_e2e_${Date.now()}`;
await admin.unsafe(`create database "${name}"`);
await admin.end();

export const LIVE_CHECK_CA_FILE = path.join(tmpdir(), "dockyard-e2e-live-check-ca.pem");

const url = new URL(adminUrl);
url.pathname = `/${name}`;
// The server `npm start` runs, which tells the app each request's client address.
const server = spawn(process.execPath, ["scripts/server.mjs"], {
  cwd: root,
  stdio: "inherit",
  env: {
    ...process.env,
    PORT: port,
    NEXT_TELEMETRY_DISABLED: "1",
    DATABASE_URL: url.toString(),
    DATA_DIR: mkdtempSync(path.join(tmpdir(), "regdash-e2e-")),
    LOG_LEVEL: process.env.LOG_LEVEL ?? "warn",
    // The live registry check may reach the loopback test registries, trusting the CA a spec
    // writes to LIVE_CHECK_CA_FILE (read at each check).
    LIVE_CHECK_ALLOWED_NETWORKS: "127.0.0.0/8,::1/128",
    LIVE_CHECK_CA_FILE: LIVE_CHECK_CA_FILE,
    // The pull-health watcher every few seconds, so a spec sees it react (e2e/pull-health.spec.ts).
    WATCH_INTERVAL_SECONDS: "3",
  },
});
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => server.kill(signal));
server.on("exit", (code) => process.exit(code ?? 0));
