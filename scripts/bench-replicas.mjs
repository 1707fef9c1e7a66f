#!/usr/bin/env node
// Registries REST API throughput with three replicas against one, on the same machine in the same
// run: three production servers (the image's scripts/server.mjs) on one PostgreSQL database, a team
// of 1,000 registries, GET /api/v1/teams/{team}/registries with personal access tokens made in the
// account page. Each round measures, in alternating order, one server through the round-robin proxy
// of the replicas test (tests/support/round-robin-proxy.ts) with one backend, the three through it,
// and the one server without the proxy; the ratio compares the first two, so the proxy's own cost
// is on both sides. The proxy and the load generator share this process; its CPU is printed too,
// and how busy the whole machine was (other work on it included): on few cores, that bounds the ratio.
// Needs a production build (`npx next build`) and the local PostgreSQL.
//   npm run bench:replicas [-- registries requests concurrency rounds]
import { randomBytes } from "node:crypto";
import os from "node:os";
import postgres from "postgres";
import { startRoundRobinProxy } from "../tests/support/round-robin-proxy.ts";
import { apiTokensInBrowser, cpuMsOf, freshDatabase, load, machineTicks, seedRegistries, signUpInBrowser, startServer } from "./bench-lib.mjs";

const [registries = 1000, requests = 600, concurrency = 16, rounds = 2] = process.argv.slice(2).map(Number);
const SERVER_PORTS = [3401, 3402, 3403];
const PROXY_PORTS = { one: 3411, three: 3412 };
const WARM_UP = 150;
// A token may make 120 requests a minute; none of these makes more than this many in all.
const REQUESTS_PER_TOKEN = 100;

const database = await freshDatabase("regdash_bench_replicas");
// Shared by the replicas, as one Kubernetes Secret gives every pod the same ones.
const env = { AUTH_SECRET: randomBytes(32).toString("base64"), CREDENTIALS_KEY: randomBytes(32).toString("base64"), TRUST_PROXY_HOPS: "1" };
// All three at once on the empty database: the migrations run once, under the advisory lock.
const starting = SERVER_PORTS.map((port) => startServer({ port, databaseUrl: database.url, env, readyPath: "/api/ready" }));
const proxies = [];
const sql = postgres(database.url, { max: 2, onnotice: () => {} });
try {
  const servers = await Promise.all(starting);
  const one = await startRoundRobinProxy([servers[0].port], { listenPort: PROXY_PORTS.one });
  const three = await startRoundRobinProxy(servers.map((s) => s.port), { listenPort: PROXY_PORTS.three });
  proxies.push(one, three);

  const email = `bench-${Date.now()}@example.test`;
  const password = "bench-password-123";
  const teamSlug = new URL(await signUpInBrowser(servers[0].base, email, password)).pathname.split("/")[2];
  await seedRegistries(sql, email, registries);
  const totalRequests = WARM_UP + rounds * 3 * requests;
  const tokens = await apiTokensInBrowser(servers[0].base, email, password, Math.max(concurrency, Math.ceil(totalRequests / REQUESTS_PER_TOKEN)));
  let sent = 0;
  // Round robin over the tokens: requests in flight together use different ones.
  const headers = () => ({ authorization: `Bearer ${tokens[sent++ % tokens.length]}` });
  const check = (body) => body.includes(`"total":${registries}`) && body.includes('"name":"registry 0049"');
  const listAt = (base) => `${base}/api/v1/teams/${teamSlug}/registries`;

  const warm = await load(listAt(three.url), { total: WARM_UP, concurrency, headers, check });
  if (warm.failures) throw new Error(`${warm.failures} of the warm-up requests did not answer the list of ${registries}`);

  /** A load run with the servers' and this process's CPU time per request, and how busy the machine was. */
  const measured = async (base, replicas) => {
    const cpu0 = replicas.map((s) => cpuMsOf(s.child.pid));
    const own0 = process.cpuUsage();
    const machine0 = machineTicks();
    const result = await load(listAt(base), { total: requests, concurrency, headers, check });
    const machine = machineTicks();
    const own = process.cpuUsage(own0);
    const servedBy = replicas.map((s, i) => cpuMsOf(s.child.pid) - cpu0[i]);
    return {
      ...result,
      serverCpu: (servedBy.reduce((a, b) => a + b) / requests).toFixed(1),
      ownCpu: ((own.user + own.system) / 1000 / requests).toFixed(1),
      busy: ((100 * (machine.busy - machine0.busy)) / (machine.total - machine0.total)).toFixed(0),
    };
  };
  const configurations = {
    one: { label: "1 server via the proxy ", run: () => measured(one.url, [servers[0]]) },
    three: { label: "3 servers via the proxy", run: () => measured(three.url, servers) },
    direct: { label: "1 server, no proxy     ", run: () => measured(servers[0].base, [servers[0]]) },
  };
  const results = { one: [], three: [], direct: [] };

  console.log(`${os.availableParallelism()} cores (${os.cpus()[0]?.model.trim()}), load average ${os.loadavg().map((l) => l.toFixed(2)).join(" ")} before the run`);
  console.log(`GET /api/v1/teams/{team}/registries (page 1 of ${registries} registries, 50 a page): ${requests} requests a run from ${concurrency} concurrent connections, ${tokens.length} tokens; ms`);
  for (let round = 1; round <= rounds; round++) {
    const order = round % 2 ? ["one", "three", "direct"] : ["three", "one", "direct"];
    for (const key of order) {
      const servedBefore = [...three.served];
      const r = await configurations[key].run();
      results[key].push(r);
      const spread = key === "three" ? ` (per replica ${three.served.map((n, i) => n - servedBefore[i]).join("/")})` : "";
      console.log(
        `round ${round}, ${configurations[key].label}: ${r.rps} req/s, median ${r.median}, p95 ${r.p95}, p99 ${r.p99}, max ${r.max}; CPU ms a request: servers ${r.serverCpu}, proxy and load generator ${r.ownCpu}; machine ${r.busy}% busy; ${r.failures} failed${spread}`,
      );
    }
    console.log(`round ${round}, three / one: ${(Number(results.three.at(-1).rps) / Number(results.one.at(-1).rps)).toFixed(2)}`);
  }
  const throughput = (runs) => (runs.length * requests) / runs.reduce((s, r) => s + r.seconds, 0);
  console.log(
    `all rounds: 1 server ${throughput(results.one).toFixed(0)} req/s, 3 servers ${throughput(results.three).toFixed(0)} req/s, three / one ${(throughput(results.three) / throughput(results.one)).toFixed(2)} (1 server without the proxy ${throughput(results.direct).toFixed(0)} req/s)`,
  );
} finally {
  await Promise.all(proxies.map((p) => p.close()));
  for (const started of await Promise.allSettled(starting)) if (started.status === "fulfilled") started.value.stop();
  await sql.end();
  await database.drop();
}
