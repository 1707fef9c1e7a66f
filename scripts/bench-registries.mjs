#!/usr/bin/env node
// The registries page with 1,000 registries in the team: server response time and server CPU
// per request (the server process's CPU time over the run) for 200 requests from 20 concurrent
// connections, next to /api/health in the same run, and the page's median at concurrency 1.
// Then the team grows to 10,000 and 100,000 registries (unless --no-scale): the page's median at
// concurrency 1, and a search's, against the 1,000 figures, with the plans of the list's queries.
// Needs a production build (`npx next build`) and the local PostgreSQL.
//   node scripts/bench-registries.mjs [registries] [requests] [concurrency] [--no-scale]
import { writeFileSync } from "node:fs";
import postgres from "postgres";
import { cpuMsOf, freshDatabase, load, seedRegistries, signInCookie, signUpInBrowser, startServer } from "./bench-lib.mjs";

const numbers = process.argv.slice(2).filter((a) => /^\d+$/.test(a)).map(Number);
const [registries = 1000, requests = 200, concurrency = 20] = numbers;
const scale = !process.argv.includes("--no-scale");
const database = await freshDatabase("regdash_bench_reg");
const server = await startServer({ port: 3291, databaseUrl: database.url });
const sql = postgres(database.url, { max: 2, onnotice: () => {} });
try {
  const email = `bench-${Date.now()}@example.test`;
  const password = "bench-password-123";
  const teamUrl = await signUpInBrowser(server.base, email, password);
  const emptyEmail = `bench-empty-${Date.now()}@example.test`;
  const emptyTeamSlug = (await signUpInBrowser(server.base, emptyEmail, password)).match(/\/t\/([^/]+)/)[1];
  const emptyCookie = await signInCookie(server.base, emptyEmail, password);
  let inserted = 0;
  let teamId;
  const growTo = async (n) => {
    ({ teamId } = await seedRegistries(sql, email, n, { from: inserted }));
    inserted = n;
  };
  // The plans of the list's queries (lib/registries/service.ts registryList). Without a search the
  // server runs prepared statements, for which PostgreSQL may keep a plan made without the values
  // after five runs: these are the plans chosen after six runs. A search is planned with its pattern.
  const explain = async () => {
    const conn = await sql.reserve();
    try {
      await conn.unsafe("prepare list_page as select id from registries where team_id = $1 order by name limit 50 offset 0");
      await conn.unsafe("prepare total_page as select registry_count from teams where id = $1");
      for (let run = 0; run < 6; run++) {
        await conn.unsafe(`execute list_page('${teamId}')`);
        await conn.unsafe(`execute total_page('${teamId}')`);
      }
      const plans = {
        "page 1, rows (prepared, after six runs)": await conn.unsafe(`explain execute list_page('${teamId}')`),
        "page 1, total (prepared, after six runs)": await conn.unsafe(`explain execute total_page('${teamId}')`),
        "search, rows": await conn`explain select id from registries where team_id = ${teamId} and name ilike ${"%istry 004%"} order by name limit 50`,
        "search, total": await conn`explain select count(*) from registries where team_id = ${teamId} and name ilike ${"%istry 004%"}`,
      };
      for (const [label, rows] of Object.entries(plans)) console.log(`EXPLAIN ${label}:\n  ${rows.map((r) => r["QUERY PLAN"]).join("\n  ")}`);
      await conn`deallocate all`;
    } finally {
      conn.release();
    }
  };
  await growTo(registries);
  await explain();

  const cookie = await signInCookie(server.base, email, password);
  const page = new URL("settings/registries", teamUrl.replace(/settings\/registries.*$/, "")).toString();
  const searchPage = `${page}?q=${encodeURIComponent("istry 004")}`;
  // A server runs for days: measure it warm (its JIT has compiled the page's code), not in its first seconds.
  const warm = await load(page, { total: 400, concurrency: 10, headers: { cookie } });
  if (warm.failures) throw new Error("the registries page did not answer 200 while warming up");
  const html = await (await fetch(page, { headers: { cookie } })).text();
  const flight = [...html.matchAll(/<script[^>]*>self\.__next_f\.push\(([\s\S]*?)\)<\/script>/g)].reduce((n, m) => n + m[1].length, 0);
  console.log(`page size: ${(html.length / 1024).toFixed(1)} KiB of HTML, of which ${(flight / 1024).toFixed(1)} KiB inline RSC payload`);
  if (process.env.BENCH_DUMP) writeFileSync(process.env.BENCH_DUMP, html);
  const check = (b) => {
    const text = b.replaceAll("<!-- -->", "");
    return text.includes("registry 0049") && text.includes(`of ${inserted}`);
  };
  const checkSearch = (b) => b.replaceAll("<!-- -->", "").includes("registry 0049");
  /** A load run with the server's CPU time per request. */
  const measured = async (url, opts) => {
    const cpu0 = cpuMsOf(server.child.pid);
    const result = await load(url, opts);
    return { ...result, cpuPerRequest: ((cpuMsOf(server.child.pid) - cpu0) / opts.total).toFixed(1) };
  };
  const serial = await measured(page, { total: 50, concurrency: 1, headers: { cookie }, check });
  const serialSearch = await measured(searchPage, { total: 50, concurrency: 1, headers: { cookie }, check: checkSearch });
  const list = await measured(page, { total: requests, concurrency, headers: { cookie }, check });
  const health = await measured(`${server.base}/api/health`, { total: requests, concurrency });
  // What any page costs before its own content, for comparison in the same run: the sign-in page
  // (no session, no database) and the registries page of a team with none (the session, the team
  // check, the dashboard's shell and an empty list).
  await load(`${server.base}/sign-in`, { total: 100, concurrency: 10 });
  const signIn = await measured(`${server.base}/sign-in`, { total: requests, concurrency });
  const emptyPage = page.replace(/\/t\/[^/]+\//, `/t/${emptyTeamSlug}/`);
  await load(emptyPage, { total: 100, concurrency: 10, headers: { cookie: emptyCookie } });
  const empty = await measured(emptyPage, { total: requests, concurrency, headers: { cookie: emptyCookie }, check: (b) => b.includes("No registries yet") });
  console.log(`${registries} registries, ${requests} requests, ${concurrency} concurrent (ms; CPU is the server's, per request)`);
  console.log(`registries page: median ${list.median}, p95 ${list.p95}, max ${list.max}, ${list.rps} req/s, CPU ${list.cpuPerRequest}, ${list.failures} failed`);
  console.log(`/api/health:     median ${health.median}, p95 ${health.p95}, max ${health.max}, ${health.rps} req/s, CPU ${health.cpuPerRequest}, ${health.failures} failed`);
  console.log(`registries page, 1 at a time: median ${serial.median}, p95 ${serial.p95}, CPU ${serial.cpuPerRequest}, ${serial.failures} failed`);
  console.log(`search "istry 004", 1 at a time: median ${serialSearch.median}, p95 ${serialSearch.p95}, CPU ${serialSearch.cpuPerRequest}, ${serialSearch.failures} failed`);
  console.log(`/sign-in:        median ${signIn.median}, ${signIn.rps} req/s, CPU ${signIn.cpuPerRequest}, ${signIn.failures} failed`);
  console.log(`empty team's registries page: median ${empty.median}, ${empty.rps} req/s, CPU ${empty.cpuPerRequest}, ${empty.failures} failed`);
  console.log(`throughput ratio page / health: ${(Number(list.rps) / Number(health.rps)).toFixed(3)}`);

  if (scale) {
    for (const n of [10_000, 100_000]) {
      await growTo(n);
      console.log(`\n— ${n} registries —`);
      await explain();
      await load(page, { total: 10, concurrency: 1, headers: { cookie } });
      const grown = await measured(page, { total: 50, concurrency: 1, headers: { cookie }, check });
      const grownSearch = await measured(searchPage, { total: 50, concurrency: 1, headers: { cookie }, check: checkSearch });
      console.log(`registries page, 1 at a time: median ${grown.median} (${(grown.median / serial.median).toFixed(2)}× the ${registries} figure), CPU ${grown.cpuPerRequest}, ${grown.failures} failed`);
      console.log(`search, 1 at a time: median ${grownSearch.median} (${(grownSearch.median / serialSearch.median).toFixed(2)}× the ${registries} figure), CPU ${grownSearch.cpuPerRequest}, ${grownSearch.failures} failed`);
    }
  }
} finally {
  await sql.end();
  server.stop();
  await database.drop();
}
