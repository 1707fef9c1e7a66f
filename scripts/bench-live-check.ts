// Live registry check latency against the local test registry (Debian docker-registry, TLS,
// htpasswd Basic auth): median and p95 of 100 checks, with and without an image to try.
//
//   npm run bench:live-check [-- count]
import { readFile } from "node:fs/promises";

process.env.LOG_LEVEL = "silent";
const count = Number(process.argv[2] ?? 100);
const { liveCheck } = await import("@/lib/registries/live-check");
const { startTestRegistry } = await import("../tests/support/test-registry");

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const p95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.ceil(xs.length * 0.95) - 1]!;

const registry = await startTestRegistry({ users: { bench: "bench-password-0123456789" } });
try {
  await registry.pushImage("team/app", "1.0");
  const opts = { allowedNetworks: ["127.0.0.0/8", "::1/128"], extraCa: await readFile(registry.caFile, "utf8") };
  const credentials = { url: registry.url, username: "bench", password: "bench-password-0123456789" };
  for (const [label, image] of [["credentials only", undefined], ["with pull access to team/app", "team/app"]] as const) {
    const times: number[] = [];
    for (let i = 0; i < count; i++) {
      const started = performance.now();
      const r = await liveCheck("Custom", credentials, { ...opts, image });
      times.push(performance.now() - started);
      if (r.status !== "valid") throw new Error(r.message);
    }
    console.log(`live check, ${label} (${count}): median ${median(times).toFixed(1)} ms, p95 ${p95(times).toFixed(1)} ms`);
  }
} finally {
  await registry.stop();
}
