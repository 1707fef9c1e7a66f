import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import postgres from "postgres";
import { expect, test, type Browser, type BrowserContext } from "@playwright/test";
import { EXAMPLE_CREDENTIALS } from "../lib/registries/examples";
import { startEcrServer, type EcrServer } from "../tests/support/ecr-server";
import { startKubeServer, type KubeServer } from "../tests/support/kube-server";
import { startKubelet, type KubeletSimulator } from "../tests/support/kubelet";
import { startRoundRobinProxy, type RoundRobinProxy } from "../tests/support/round-robin-proxy";
import { newAccount, PASSWORD, signOut, signUp, teamSlugOf } from "./helpers";
import { actionId, callerFor, type Caller } from "./server-actions";
import { createDatabase, dropDatabase, logLines, metricValue, ROOT, scrape, startServer, TEST_SECRETS, waitUntilOk, type Server } from "./servers";

/**
 * Three replicas of the production build on one fresh PostgreSQL database, behind a round-robin
 * proxy (per request), as a Deployment of three pods behind a Service would run: sessions, the
 * live-check limit and the background jobs are shared through the database; a replica killed
 * mid-deploy leaves no deploy "running" for ever. The jobs tick every 3 s here.
 */

test.describe.configure({ mode: "serial" });

const INTERVAL_MS = 3000;
const ECR_HOST = "123456789012.dkr.ecr.eu-central-1.amazonaws.com";
const { accessKeyId = "", secretAccessKey = "" } = EXAMPLE_CREDENTIALS.ECR;
const LIVE_CHECK_PASSWORD = "live-check-secret-password-5678";

let servers: Server[] = [];
let proxy: RoundRobinProxy;
let kube: KubeServer;
let kubelet: KubeletSimulator;
let ecr: EcrServer;
let database: { url: string; name: string };
let sql: postgres.Sql;
/** Registry passwords the fake ECR handed out: secrets a log line must never hold. */
const issuedPasswords: string[] = [];
/** The deploy the jobs work on, and where: set by the jobs test, used by those after it. */
let deployed: { teamSlug: string; containerId: string; deploymentId: string; envSlug: string; context: BrowserContext };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test.beforeAll(async () => {
  test.setTimeout(180_000);
  [kube, database] = await Promise.all([startKubeServer(), createDatabase("replicas")]);
  // The node holds the image already: no registry is pulled from, the pull secret is what is watched.
  kubelet = startKubelet(kube, { images: [`${ECR_HOST}/team/app:1.0`] });
  // One-hour tokens: inside the refresh job's two-hour horizon, so every run of the job renews it.
  ecr = await startEcrServer({ accessKeyId, secretAccessKey, proxyEndpoint: `https://${ECR_HOST}`, tokenTtlMs: 3600_000, issuePassword: async (p) => void issuedPasswords.push(p) });
  const env = {
    DATABASE_URL: database.url,
    ...TEST_SECRETS,
    LOG_LEVEL: "info",
    DATA_DIR: mkdtempSync(path.join(tmpdir(), "regdash-replicas-")),
    EGRESS_ALLOWED_NETWORKS: "127.0.0.0/8,::1/128",
    ECR_ENDPOINT_URL: ecr.url,
    TRUST_PROXY_HOPS: "1",
    REFRESH_INTERVAL_SECONDS: String(INTERVAL_MS / 1000),
    WATCH_INTERVAL_SECONDS: String(INTERVAL_MS / 1000),
    DEPLOY_ABANDONED_AFTER_SECONDS: "15",
    DEPLOY_ROLLOUT_TIMEOUT_SECONDS: "30",
  };
  // All three at once on the empty database: the migrations run under the advisory lock, once.
  servers = await Promise.all([0, 1, 2].map(() => startServer({ cwd: ROOT, env })));
  await Promise.all(servers.map((s) => waitUntilOk(s)));
  proxy = await startRoundRobinProxy(servers.map((s) => s.port));
  sql = postgres(database.url, { max: 2, onnotice: () => {} });
});

test.afterAll(async () => {
  for (const s of servers) s.process.kill("SIGKILL");
  await Promise.all([proxy?.close(), kubelet?.stop(), kube?.close(), ecr?.close(), sql?.end()]);
  if (database) await dropDatabase(database.name);
});

async function signedUp(browser: Browser, label: string, baseURL: string) {
  const context = await browser.newContext({ baseURL });
  const page = await context.newPage();
  await signUp(page, newAccount(label));
  return { context, page, teamSlug: teamSlugOf(page), dashboard: new URL(page.url()).pathname };
}

const cookieOf = async (context: BrowserContext) => (await context.cookies()).map((c) => `${c.name}=${c.value}`).join("; ");

async function progress(context: BrowserContext, teamSlug: string, deploymentId: string): Promise<{ status: string; message: string | null }> {
  const res = await fetch(`${proxy.url}/api/teams/${teamSlug}/deployments/${deploymentId}`, { headers: { cookie: await cookieOf(context) } });
  return (await res.json()) as { status: string; message: string | null };
}

async function ok<T>(call: ReturnType<Caller>): Promise<T> {
  const { status, result } = await call;
  if (status !== 200 || !result?.ok) throw new Error(`action failed: ${status} ${JSON.stringify(result)}`);
  return result.data as T;
}

test("a session made on one replica works on the others, and signing out on one revokes it on all", async ({ browser }) => {
  const { context, page, dashboard } = await signedUp(browser, "replica-session", servers[0]!.url);
  for (const server of servers.slice(1)) {
    await page.goto(`${server.url}${dashboard}`);
    await expect(page.getByRole("heading", { name: "Container Registries" })).toBeVisible();
  }
  // A copy of the cookie, taken while the session is live.
  const copy = await browser.newContext();
  await copy.addCookies(await context.cookies());
  const other = await copy.newPage();
  await other.goto(`${servers[2]!.url}${dashboard}`);
  await expect(other.getByRole("heading", { name: "Container Registries" })).toBeVisible();

  await page.goto(`${servers[1]!.url}${dashboard}`);
  await signOut(page);
  for (const server of servers) {
    await other.goto(`${server.url}${dashboard}`);
    await expect(other).toHaveURL(/\/sign-in\?callbackUrl=/);
  }
  await Promise.all([context.close(), copy.close()]);
});

test("the live-check limit holds across the replicas: 10 a minute in total", async ({ browser }) => {
  const { context, page, teamSlug } = await signedUp(browser, "replica-limit", proxy.url);
  const call = await callerFor(page, proxy.url);
  const testAction = actionId("app/_actions/registries.ts", "testRegistryAction");
  const servedBefore = [...proxy.served];
  const outcomes: string[] = [];
  // A closed loopback port: each check is counted, then refused at once.
  const input = { teamSlug, type: "Custom", credentials: { url: "https://127.0.0.1:9", username: "u", password: LIVE_CHECK_PASSWORD }, live: true };
  for (let i = 0; i < 12; i++) {
    const { result } = await call(`/t/${teamSlug}/settings/registries/new`, testAction, [input]);
    outcomes.push(result?.ok ? "checked" : (result?.code ?? "no answer"));
  }
  expect(outcomes).toEqual([...Array<string>(10).fill("checked"), "rate_limited", "rate_limited"]);
  // Spread over all three: no replica could have counted the limit alone.
  expect(proxy.served.map((n, i) => n - servedBefore[i]!).every((n) => n >= 3)).toBe(true);
  const scrapes = await Promise.all(servers.map((s) => scrape(s.url)));
  const total = (name: string, labels: Record<string, string>) => scrapes.map((m) => metricValue(m, name, labels)).reduce((a, b) => a + b);
  expect(total("dockyard_actions_total", { action: "registry.test", outcome: "rate_limited" })).toBe(2);
  expect(total("dockyard_live_checks_total", { registry_type: "Custom" })).toBe(10);
  await context.close();
});

test("the ECR refresh job and the pull-health watcher run exactly once per interval across the three", async ({ browser }) => {
  test.setTimeout(120_000);
  const { context, page, teamSlug } = await signedUp(browser, "replica-jobs", proxy.url);
  const call = await callerFor(page, proxy.url);
  const envSlug = `rep-${Date.now().toString(36)}`;
  const at = `/t/${teamSlug}/environments`;
  const { registryId } = await ok<{ registryId: string }>(
    call(`/t/${teamSlug}/settings/registries/new`, actionId("app/_actions/registries.ts", "createRegistryAction"), [
      { teamSlug, name: "aws", type: "ECR", credentials: { accessKeyId, secretAccessKey, region: "eu-central-1" } },
    ]),
  );
  const { environmentId } = await ok<{ environmentId: string }>(
    call(at, actionId("app/_actions/environments.ts", "createEnvironmentAction"), [{ teamSlug, name: envSlug, slug: envSlug, orchestrator: "kubernetes", kubeconfig: kube.kubeconfigYaml() }]),
  );
  const { containerId } = await ok<{ containerId: string }>(
    call(at, actionId("app/_actions/environments.ts", "createContainerAction"), [
      { teamSlug, environmentId, name: "app", registryId, imageName: `${ECR_HOST}/team/app`, imageTag: "1.0", replicas: 1, port: null },
    ]),
  );
  const { deploymentId } = await ok<{ deploymentId: string }>(call(at, actionId("app/_actions/environments.ts", "deployContainerAction"), [{ teamSlug, containerId }]));
  await expect.poll(async () => (await progress(context, teamSlug, deploymentId)).status, { timeout: 45_000 }).toBe("succeeded");
  deployed = { teamSlug, containerId, deploymentId, envSlug, context };

  // Count from one interval's edge to another: runs tick mid-interval, so none straddles the window.
  await sleep(INTERVAL_MS - (Date.now() % INTERVAL_MS) + 200);
  const firstSlot = Math.floor(Date.now() / INTERVAL_MS);
  const INTERVALS = 5;
  kube.reset();
  const ecrBefore = ecr.calls.length;
  await sleep(INTERVALS * INTERVAL_MS);
  const tokenExchanges = ecr.calls.length - ecrBefore;
  const secretReads = kube.requests.filter((r) => r.method === "GET" && r.path.endsWith(`/namespaces/env-${envSlug}/secrets/ecr-${registryId}-creds`)).length;

  const runs = await sql<{ job: string; slot: string; runner: string; outcome: string; summary: Record<string, number> }[]>`
    select job, slot, runner, outcome, summary from job_runs where slot >= ${firstSlot} and slot < ${firstSlot + INTERVALS} order by job, slot`;
  const slots = Array.from({ length: INTERVALS }, (_, i) => String(firstSlot + i));
  for (const job of ["credential-refresh", "pull-health-watch"]) {
    const ofJob = runs.filter((r) => r.job === job);
    // One row per interval (the primary key allows no more), none missed, each one run to the end.
    expect(ofJob.map((r) => r.slot), job).toEqual(slots);
    expect(ofJob.every((r) => r.outcome === "succeeded"), job).toBe(true);
  }
  // What reached the outside world: one token exchange per refresh run, one read of the pull secret per watcher run.
  expect(runs.filter((r) => r.job === "credential-refresh").every((r) => r.summary.refreshed === 1)).toBe(true);
  expect(tokenExchanges).toBe(INTERVALS);
  expect(runs.filter((r) => r.job === "pull-health-watch").every((r) => r.summary.environments === 1)).toBe(true);
  expect(secretReads).toBe(INTERVALS);

  // Every replica ticks; whoever claims the interval first runs it, the others skip it.
  const scrapes = await Promise.all(servers.map((s) => scrape(s.url)));
  for (const job of ["credential-refresh", "pull-health-watch"]) {
    const perReplica = scrapes.map((m) => ({ ran: metricValue(m, "dockyard_job_runs_total", { job }), skipped: metricValue(m, "dockyard_job_ticks_skipped_total", { job }) }));
    expect(perReplica.every((r) => r.ran + r.skipped >= INTERVALS), job).toBe(true);
    const total = perReplica.reduce((a, r) => ({ ran: a.ran + r.ran, skipped: a.skipped + r.skipped }), { ran: 0, skipped: 0 });
    expect(total.skipped, job).toBeGreaterThanOrEqual(total.ran);
  }
});

test("a replica killed in the middle of a deploy leaves it failed, not running for ever", async () => {
  test.setTimeout(120_000);
  const { teamSlug, containerId, envSlug, context } = deployed;
  const victim = servers[2]!;
  const page = await context.newPage();
  // The deployment write never gets an answer: the deploy is stuck in its workload step.
  const write = (r: { method: string; path: string }) => r.method === "PUT" && r.path.endsWith(`/namespaces/env-${envSlug}/deployments/app`);
  kube.failNext(write, "hang");
  const call = await callerFor(page, victim.url);
  const { deploymentId } = await ok<{ deploymentId: string }>(call(`/t/${teamSlug}/environments`, actionId("app/_actions/environments.ts", "deployContainerAction"), [{ teamSlug, containerId }]));
  await expect.poll(() => kube.requests.some((r) => write(r) && r.status === 0)).toBe(true);
  const [row] = await sql<{ status: string; runner: string }[]>`select status, runner from deployments where id = ${deploymentId}`;
  expect(row?.status).toBe("running");

  victim.process.kill("SIGKILL");
  await victim.exited;
  // The others notice the silent heartbeat (15 s here) and record how it ended.
  await expect.poll(async () => (await progress(context, teamSlug, deploymentId)).status, { timeout: 60_000, intervals: [1000] }).toBe("failed");
  expect((await progress(context, teamSlug, deploymentId)).message).toMatch(/stopped before it finished/);
  const [after] = await sql<{ status: string; finished_at: Date | null }[]>`select status, finished_at from deployments where id = ${deploymentId}`;
  expect(after).toMatchObject({ status: "failed", finished_at: expect.any(Date) });
});

test("the logs of all three hold no secret, and say what each deploy did", async () => {
  const output = servers.map((s) => s.output()).join("\n");
  const secrets = [secretAccessKey, LIVE_CHECK_PASSWORD, PASSWORD, kube.token, TEST_SECRETS.AUTH_SECRET, TEST_SECRETS.CREDENTIALS_KEY, TEST_SECRETS.METRICS_TOKEN, ...issuedPasswords];
  expect(issuedPasswords.length).toBeGreaterThan(5);
  for (const secret of secrets) expect(output, "a secret in the log").not.toContain(secret);

  const lines = servers.flatMap((s) => logLines(s.output())).sort((a, b) => Number(a.time) - Number(b.time));
  const ofDeploy = lines.filter((l) => l.deploymentId === deployed.deploymentId);
  console.log(`figure: ${ofDeploy.length} log lines per deploy at LOG_LEVEL=info (${ofDeploy.map((l) => l.msg).join(", ")})`);
  expect(ofDeploy.map((l) => l.msg)).toEqual(["deploy started", "action", "deploy finished"]);
  // One request id on all three: the action's, carried into the run that goes on after its answer.
  expect([...new Set(ofDeploy.map((l) => l.requestId))]).toEqual([expect.stringMatching(/^[0-9a-f-]{36}$/)]);
  expect(ofDeploy[1]).toMatchObject({ action: "container.deploy", outcome: "ok", teamId: expect.any(String), userId: expect.any(String), containerId: deployed.containerId, requestId: expect.any(String) });
  expect(ofDeploy[2]).toMatchObject({ outcome: "rolled_out", durationMs: expect.any(Number) });
  // The job runs are logged by the replica that ran them, with what they did.
  expect(lines.some((l) => l.msg === "job run" && l.job === "credential-refresh" && l.refreshed === 1)).toBe(true);
});
