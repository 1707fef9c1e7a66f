#!/usr/bin/env node
// `npm test`: the whole suite, as CI runs it: lint, typecheck, unit + integration tests
// (vitest, real PostgreSQL), then the Playwright suite in Chromium against a production build.
import { spawnSync } from "node:child_process";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");
const env = { ...process.env, NEXT_TELEMETRY_DISABLED: "1" };

const steps = [
  ["lint", "npx", ["eslint", ".", "--max-warnings=0"]],
  ["typecheck", "npx", ["tsc", "--noEmit"]],
  ["unit and integration tests", "npx", ["vitest", "run"]],
  ["production build", "npx", ["next", "build"]],
  ["browser tests", "npx", ["playwright", "test"]],
];

for (const [label, cmd, args] of steps) {
  console.log(`\n━━ ${label}: ${cmd} ${args.join(" ")}`);
  const started = Date.now();
  const r = spawnSync(cmd, args, { cwd: root, stdio: "inherit", env });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (r.status !== 0) {
    console.error(`\n✗ ${label} failed after ${seconds}s (exit ${r.status ?? r.signal})`);
    process.exit(r.status || 1);
  }
  console.log(`✓ ${label} (${seconds}s)`);
}
