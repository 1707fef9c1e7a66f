#!/usr/bin/env node
// The server's memory idle and after N sign-ins in a row (default 200), through the real
// Auth.js flow. Needs a production build (`npx next build`). The server is started as `npm start`
// starts it (scripts/start.mjs, which serves from a child process: its memory is the server's,
// the wrapper's is shown apart). With --pglite (no DATABASE_URL) three starts are measured, each
// with its time from spawning `scripts/start.mjs` to /api/health answering 200 and its idle RSS:
//   first-ever: no embedded-database template yet, so scripts/start.mjs makes it first (as on a
//               fresh clone; its time is counted) and the data dir is new;
//   fresh:      the template exists, the data dir is new;
//   reused:     the fresh start's data dir, started again.
// The sign-ins then run against the last server. Times depend on the machine's load: each line
// shows the 1-minute load average.
//   node scripts/bench-memory.mjs [count] [--pglite]        (BENCH_PORT, default 3290)
import { rmSync } from "node:fs";
import { loadavg } from "node:os";
import path from "node:path";
import { childrenOf, freshDatabase, memoryOf, root, signInCookie, signUpInBrowser, startServer } from "./bench-lib.mjs";

const count = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 200);
const pglite = process.argv.includes("--pglite");
const port = Number(process.env.BENCH_PORT ?? 3290);
// Long enough for the start's garbage to be collected and the periodic jobs' first ticks to pass.
const SETTLE_MS = 3000;

/** Starts the dashboard, waits until it idles and prints its time to healthy and its memory. */
async function measuredStart(label, opts) {
  const started = await startServer({ port, script: "scripts/start.mjs", ...opts });
  await new Promise((r) => setTimeout(r, SETTLE_MS));
  const [serverPid] = childrenOf(started.child.pid);
  const server = memoryOf(serverPid);
  const wrapper = (Number(memoryOf(started.child.pid).rssMiB) - Number(server.rssMiB)).toFixed(1);
  const seconds = (started.healthyMs / 1000).toFixed(2);
  console.log(`${label.padEnd(10)} healthy after ${seconds} s, idle rss ${server.rssMiB} MiB (peak ${server.peakMiB} MiB; npm start's wrapper process ${wrapper} MiB more), load ${loadavg()[0].toFixed(2)}`);
  return { ...started, serverPid };
}

const database = pglite ? undefined : await freshDatabase("regdash_bench_mem");
console.log(`database: ${pglite ? "embedded PGlite" : "PostgreSQL"}`);
let server;
const dataDirs = [];
try {
  if (pglite) {
    // The template cache of db/client.ts and db/pglite-template.mjs, gone as on a fresh clone.
    rmSync(path.join(root, "node_modules/.cache/dockyard"), { recursive: true, force: true });
    const first = await measuredStart("first-ever", {});
    await first.stop();
    const fresh = await measuredStart("fresh", {});
    await fresh.stop();
    dataDirs.push(first.dataDir, fresh.dataDir);
    server = await measuredStart("reused", { dataDir: fresh.dataDir });
  } else {
    server = await measuredStart("idle", { databaseUrl: database.url });
  }
  if (count > 0) {
    const email = `bench-${Date.now()}@example.test`;
    const password = "bench-password-123";
    await signUpInBrowser(server.base, email, password);
    const started = Date.now();
    for (let i = 0; i < count; i++) await signInCookie(server.base, email, password);
    const seconds = (Date.now() - started) / 1000;
    const after = memoryOf(server.serverPid);
    console.log(`after ${count} sign-ins (${seconds.toFixed(1)} s, ${((seconds * 1000) / count).toFixed(0)} ms each): rss ${after.rssMiB} MiB, peak ${after.peakMiB} MiB`);
  }
} finally {
  await server?.stop();
  await database?.drop();
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
}
