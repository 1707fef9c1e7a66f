#!/usr/bin/env node
// The server's memory idle and after N sign-ins in a row (default 200), through the real
// Auth.js flow. Needs a production build (`npx next build`).
//   node scripts/bench-memory.mjs [count] [--pglite]
import { freshDatabase, memoryOf, signInCookie, signUpInBrowser, startServer } from "./bench-lib.mjs";

const count = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 200);
const pglite = process.argv.includes("--pglite");
const database = pglite ? undefined : await freshDatabase("regdash_bench_mem");
const server = await startServer({ port: 3290, databaseUrl: database?.url });
try {
  await new Promise((r) => setTimeout(r, 2000));
  const idle = memoryOf(server.child.pid);
  console.log(`database: ${pglite ? "embedded PGlite" : "PostgreSQL"}`);
  console.log(`idle after start: rss ${idle.rssMiB} MiB, peak ${idle.peakMiB} MiB`);
  const email = `bench-${Date.now()}@example.test`;
  const password = "bench-password-123";
  await signUpInBrowser(server.base, email, password);
  const started = Date.now();
  for (let i = 0; i < count; i++) await signInCookie(server.base, email, password);
  const seconds = (Date.now() - started) / 1000;
  const after = memoryOf(server.child.pid);
  console.log(`after ${count} sign-ins (${seconds.toFixed(1)} s, ${((seconds * 1000) / count).toFixed(0)} ms each): rss ${after.rssMiB} MiB, peak ${after.peakMiB} MiB`);
} finally {
  server.stop();
  await database?.drop();
}
