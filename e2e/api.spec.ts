import { execFile } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { expect, test, type APIRequestContext, type Page } from "@playwright/test";
import Ajv2020 from "ajv/dist/2020.js";
import postgres from "postgres";
import { EXAMPLE_CREDENTIALS, exampleInput } from "../lib/registries/examples";
import { startKubeServer, type KubeServer } from "../tests/support/kube-server";
import { startKubelet, type KubeletSimulator } from "../tests/support/kubelet";
import { newAccount, PASSWORD, privateContainer, signIn, signUp, teamSlugOf, type Account } from "./helpers";

/**
 * The REST API over HTTP against the production build: the access matrix for tokens of each role,
 * another team's token, revoked and expired tokens; a deploy on the Kubernetes test server; every
 * answer validated against the OpenAPI document (each operation's success answer at least once)
 * and scanned for secrets; the typed client from a Node script.
 */

test.describe.configure({ mode: "serial" });

type Role = "owner" | "admin" | "member";
type Seen = { label: string; status: number; contentType: string; body: string; operation?: { path: string; method: string } };

const seen: Seen[] = [];
let doc: { openapi: string; paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: object }> }> }>>; components: object };

const tokens: Record<Role | "outsider" | "revoked" | "expired", string> = { owner: "", admin: "", member: "", outsider: "", revoked: "", expired: "" };
let team = "";
let outsiderTeam = "";
const accounts: Record<string, Account> = {};

/** The container the API deploys: an image the simulated node holds already, so nothing is pulled. */
const REGISTRY_HOST = "registry.api.test";
const REGISTRY_PASSWORD = "api-registry-password-4821";
let kube: KubeServer;
let kubelet: KubeletSimulator;

async function createToken(page: Page, opts: { name: string; team?: string; role?: Role; days?: 7 | 30 | 90 }): Promise<string> {
  await page.goto("/account");
  await page.getByLabel("Name", { exact: true }).fill(opts.name);
  if (opts.team) {
    await page.getByLabel("Team", { exact: true }).click();
    await page.getByRole("option", { name: new RegExp(opts.team) }).click();
  }
  if (opts.role) {
    await page.getByLabel("Role", { exact: true }).click();
    await page.getByRole("option", { name: opts.role, exact: true }).click();
  }
  if (opts.days) {
    await page.getByLabel("Expires after").click();
    await page.getByRole("option", { name: `${opts.days} days` }).click();
  }
  await page.getByRole("button", { name: "Create token" }).click();
  const token = await page.getByLabel("The new token").inputValue();
  expect(token).toMatch(/^dky_[A-Za-z0-9_-]{43}$/);
  return token;
}

/** One API call, recorded for the leak scan and the schema check. */
async function call(request: APIRequestContext, method: string, url: string, opts: { token?: string; data?: unknown; operation?: string } = {}) {
  const res = await request.fetch(`/api/v1${url}`, {
    method,
    headers: opts.token === undefined ? {} : { authorization: `Bearer ${opts.token}` },
    data: opts.data,
  });
  const body = await res.text();
  seen.push({ label: `${method} ${url}`, status: res.status(), contentType: res.headers()["content-type"] ?? "", body, operation: opts.operation ? { path: opts.operation, method: method.toLowerCase() } : undefined });
  return { status: res.status(), headers: res.headers(), json: body ? JSON.parse(body) : undefined };
}

/** The e2e server's database is its own; the one holding this e-mail is it (to make a token expire). */
async function expireToken(email: string, tokenName: string) {
  const admin = postgres(process.env.TEST_DATABASE_ADMIN_URL ?? "postgres://postgres@127.0.0.1:5432/postgres", { max: 1, onnotice: () => {} });
  try {
    for (const { datname } of await admin`select datname from pg_database where datname like 'regdash_e2e_%' order by datname desc`) {
      const url = new URL(process.env.TEST_DATABASE_ADMIN_URL ?? "postgres://postgres@127.0.0.1:5432/postgres");
      url.pathname = `/${datname}`;
      const sql = postgres(url.toString(), { max: 1, onnotice: () => {} });
      try {
        const updated = await sql`update api_tokens set expires_at = now() - interval '1 second'
          where name = ${tokenName} and user_id = (select id from users where email = ${email}) returning id`.catch(() => []);
        if (updated.length > 0) return;
      } finally {
        await sql.end();
      }
    }
    throw new Error("the e2e database with this account was not found");
  } finally {
    await admin.end();
  }
}

test.beforeAll(async ({ browser }) => {
  test.setTimeout(180_000);
  const pages: Record<string, Page> = {};
  for (const who of ["owner", "admin", "member", "outsider"]) {
    accounts[who] = newAccount(`api-${who}`);
    pages[who] = await browser.newPage();
    await signUp(pages[who], accounts[who]);
  }
  team = teamSlugOf(pages.owner!);
  outsiderTeam = teamSlugOf(pages.outsider!);
  for (const [who, role] of [["admin", "admin"], ["member", "member"]] as const) {
    const page = pages.owner!;
    await page.goto(`/t/${team}/settings/team`);
    await page.getByLabel("E-mail").fill(accounts[who]!.email);
    await page.getByLabel("Role", { exact: true }).click();
    await page.getByRole("option", { name: role }).click();
    await page.getByRole("button", { name: "Add member" }).click();
    await expect(page.getByText(`${accounts[who]!.email} added as ${role}`)).toBeVisible();
  }
  const ownerTeamName = accounts.owner!.name;
  tokens.owner = await createToken(pages.owner!, { name: "owner token", role: "owner", days: 7 });
  tokens.admin = await createToken(pages.admin!, { name: "admin token", team: ownerTeamName, role: "admin", days: 30 });
  tokens.member = await createToken(pages.member!, { name: "member token", team: ownerTeamName, role: "member", days: 90 });
  tokens.outsider = await createToken(pages.outsider!, { name: "outsider token", role: "owner" });
  tokens.expired = await createToken(pages.member!, { name: "expiring token", team: ownerTeamName });
  tokens.revoked = await createToken(pages.member!, { name: "revoked token", team: ownerTeamName });
  await pages.member!.reload();
  await pages.member!.getByRole("button", { name: "Revoke the token revoked token" }).click();
  await pages.member!.getByRole("button", { name: "Revoke token" }).click();
  await expect(pages.member!.getByTestId(/^token-/).filter({ hasText: "revoked token" })).toContainText("Revoked");
  await expireToken(accounts.member!.email, "expiring token");
  for (const page of Object.values(pages)) await page.close();
  kube = await startKubeServer();
  kubelet = startKubelet(kube, { images: [`${REGISTRY_HOST}/team/app:1.0`] });
});

test.afterAll(async () => {
  await kubelet?.stop();
  await kube?.close();
});

test("the OpenAPI document is OpenAPI 3.1 and lists every route handler under /api/v1", async ({ request }) => {
  const res = await request.get("/api/v1/openapi.json");
  expect(res.status()).toBe(200);
  doc = await res.json();
  expect(doc.openapi).toBe("3.1.0");
  // Every route.ts under app/api/v1 (but the document itself), with each method it exports.
  const root = path.resolve(import.meta.dirname, "../app/api/v1");
  const routes: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const full = path.join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (name === "route.ts" && !dir.endsWith("openapi.json")) routes.push(path.relative(root, dir));
    }
  };
  walk(root);
  const documented = Object.keys(doc.paths).sort();
  expect(routes.map((r) => "/" + r.replace(/\[(\w+)\]/g, "{$1}")).sort()).toEqual(documented);
  for (const [p, operations] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(operations)) {
      expect(Object.keys(op.responses), `${method} ${p}`).toEqual(expect.arrayContaining(["401", "500"]));
      const success = Object.keys(op.responses).find((s) => s.startsWith("2"))!;
      expect(op.responses[success]!.content?.["application/json"]?.schema, `${method} ${p}`).toBeTruthy();
    }
  }
});

test("without a valid token: 401 problem, whatever the token's fault", async ({ request }) => {
  for (const token of [undefined, "", "not-a-token", `dky_${"x".repeat(43)}`, tokens.revoked, tokens.expired]) {
    const r = await call(request, "GET", `/teams/${team}/registries`, { token, operation: "/teams/{team}/registries" });
    expect(r.status, String(token)).toBe(401);
    expect(r.headers["content-type"]).toBe("application/problem+json");
    expect(r.headers["www-authenticate"]).toContain("Bearer");
  }
  expect((await call(request, "GET", "/token", { token: tokens.revoked })).json.detail).toBe("The token was revoked");
  expect((await call(request, "GET", "/token", { token: tokens.expired })).json.detail).toBe("The token has expired");
});

test("the access matrix: each role's token over HTTP; another team's objects are not found", async ({ request }) => {
  const p = (rest: string) => `/teams/${team}${rest}`;
  const expectStatus = async (role: keyof typeof tokens, method: string, url: string, operation: string, status: number, data?: unknown) => {
    const r = await call(request, method, url, { token: tokens[role], data, operation });
    expect(r.status, `${role} ${method} ${url}: ${JSON.stringify(r.json)}`).toBe(status);
    return r.json;
  };

  for (const role of ["owner", "admin", "member"] as const) {
    const me = await expectStatus(role, "GET", "/token", "/token", 200);
    expect(me).toMatchObject({ team, role });
    await expectStatus(role, "GET", p("/registries"), "/teams/{team}/registries", 200);
    await expectStatus(role, "GET", p("/environments"), "/teams/{team}/environments", 200);
  }

  // The owner's registry: every member reads and tests it; owner and admin rename it; only its creator deletes it.
  const created = await expectStatus("owner", "POST", p("/registries"), "/teams/{team}/registries", 201, exampleInput("Custom", "api owned"));
  const one = `/teams/{team}/registries/{registryId}`;
  const reg = p(`/registries/${created.registryId}`);
  for (const role of ["owner", "admin", "member"] as const) {
    await expectStatus(role, "GET", reg, one, 200);
    await expectStatus(role, "POST", `${reg}/test`, `${one}/test`, 200, { live: false });
  }
  await expectStatus("member", "PATCH", reg, one, 403, { name: "renamed by a member" });
  await expectStatus("admin", "PATCH", reg, one, 200, { name: "renamed by an admin" });
  const rotated = await expectStatus("owner", "PATCH", reg, one, 200, { credentials: { ...EXAMPLE_CREDENTIALS.Custom, password: "rotated-secret-value-1" } });
  expect(rotated).toMatchObject({ credentialVersion: 2, changed: ["password"] });
  const invalid = await expectStatus("owner", "PATCH", reg, one, 422, { name: "" });
  expect(invalid.errors).toHaveProperty("name");
  const badCreate = await expectStatus("member", "POST", p("/registries"), "/teams/{team}/registries", 422, { type: "Custom", name: "x", credentials: {} });
  expect(Object.keys(badCreate.errors).length).toBeGreaterThan(0);
  expect((await call(request, "POST", p("/registries"), { token: tokens.member, data: "not json" })).status).toBe(400);

  // Another team: its token here, and this team's token there, are "not found" (never 403).
  await expectStatus("outsider", "GET", reg, one, 404);
  await expectStatus("outsider", "GET", p("/registries"), "/teams/{team}/registries", 404);
  await expectStatus("outsider", "DELETE", reg, one, 404);
  await expectStatus("owner", "GET", `/teams/${outsiderTeam}/registries`, "/teams/{team}/registries", 404);
  const theirs = await expectStatus("outsider", "POST", `/teams/${outsiderTeam}/registries`, "/teams/{team}/registries", 201, exampleInput("Custom", "outsider's"));
  await expectStatus("owner", "GET", p(`/registries/${theirs.registryId}`), one, 404);
  await expectStatus("owner", "GET", p("/registries/not-an-id"), one, 404);
  await expectStatus("member", "GET", p("/environments/env-aaaaaaaaaaaa/containers"), "/teams/{team}/environments/{environmentId}/containers", 404);
  await expectStatus("member", "POST", p("/containers/ctr-aaaaaaaaaaaa/deploy"), "/teams/{team}/containers/{containerId}/deploy", 404);
  await expectStatus("member", "GET", p("/deployments/dep-aaaaaaaaaaaa"), "/teams/{team}/deployments/{deploymentId}", 404);

  await expectStatus("member", "DELETE", reg, one, 403);
  await expectStatus("admin", "DELETE", reg, one, 403);
  await expectStatus("owner", "DELETE", reg, one, 200);
  await expectStatus("owner", "GET", reg, one, 404);
});

test("the typed client from a Node script, exactly as the README writes it", async ({ baseURL }) => {
  const run = promisify(execFile);
  const { stdout } = await run(path.resolve(import.meta.dirname, "../node_modules/.bin/tsx"), [path.resolve(import.meta.dirname, "api-client.script.ts")], {
    env: { ...process.env, DOCKYARD_URL: baseURL!, DOCKYARD_TOKEN: tokens.member },
  });
  seen.push({ label: "client script", status: 200, contentType: "application/json", body: stdout });
  const steps = Object.fromEntries(stdout.trim().split("\n").map((line) => JSON.parse(line)).map((s) => [s.step, s.result]));
  expect(steps.create).toMatchObject({ ok: true, data: { registryId: expect.stringMatching(/^reg-/) } });
  expect(steps.list.data.items.map((r: { name: string }) => r.name)).toEqual(["from a script"]);
  expect(steps.environments).toEqual({ ok: true, data: [] });
  expect(steps.delete).toMatchObject({ ok: true, data: { registryId: steps.create.data.registryId } });
  expect(steps["get after delete"]).toEqual({ ok: false, code: "not_found", error: "Registry not found" });
});

// After the client script, which expects the team to have no environment.
test("environments, containers, a deploy and its status over HTTP: each role reads, a member deploys, another team finds nothing", async ({ browser, request }) => {
  test.setTimeout(120_000);
  const page = await browser.newPage();
  await page.goto("/sign-in");
  await signIn(page, accounts.owner!);
  await expect(page).toHaveURL(/\/t\//);
  const { slug } = await privateContainer(page, team, {
    registry: { url: `https://${REGISTRY_HOST}`, host: REGISTRY_HOST },
    username: "deployer",
    password: REGISTRY_PASSWORD,
    kubeconfig: kube.kubeconfigYaml(),
    slugPrefix: "api",
    container: "app",
  });
  await page.close();

  const environments = "/teams/{team}/environments";
  const containers = `${environments}/{environmentId}/containers`;
  const deploy = "/teams/{team}/containers/{containerId}/deploy";
  const deployment = "/teams/{team}/deployments/{deploymentId}";
  let environmentId = "";
  let containerId = "";
  for (const role of ["owner", "admin", "member"] as const) {
    const listed = await call(request, "GET", `/teams/${team}/environments`, { token: tokens[role], operation: environments });
    expect(listed.status).toBe(200);
    expect(listed.json).toEqual([expect.objectContaining({ slug, namespace: `env-${slug}`, orchestrator: "kubernetes", containerCount: 1 })]);
    environmentId = listed.json[0].id;
    const inside = await call(request, "GET", `/teams/${team}/environments/${environmentId}/containers`, { token: tokens[role], operation: containers });
    expect(inside.status).toBe(200);
    expect(inside.json).toEqual([expect.objectContaining({ name: "app", imageName: `${REGISTRY_HOST}/team/app`, imageTag: "1.0", registryName: "Team registry" })]);
    containerId = inside.json[0].id;
  }

  const started = await call(request, "POST", `/teams/${team}/containers/${containerId}/deploy`, { token: tokens.member, operation: deploy });
  expect(started.status, JSON.stringify(started.json)).toBe(202);
  const deploymentId: string = started.json.deploymentId;
  const status = (role: keyof typeof tokens) => call(request, "GET", `/teams/${team}/deployments/${deploymentId}`, { token: tokens[role], operation: deployment });
  await expect.poll(async () => (await status("member")).json.status, { timeout: 60_000 }).toBe("succeeded");
  for (const role of ["owner", "admin"] as const) {
    const done = await status(role);
    expect(done.status).toBe(200);
    expect(done.json).toMatchObject({ id: deploymentId, containerId, action: "deploy", status: "succeeded", outcome: "rolled_out", failedStep: null });
  }
  expect(kube.get("deployments", `env-${slug}`, "app").spec.template.spec.containers[0].image).toBe(`${REGISTRY_HOST}/team/app:1.0`);

  // The real ids, from another team's token: not found, as if they did not exist.
  expect((await call(request, "GET", `/teams/${team}/environments/${environmentId}/containers`, { token: tokens.outsider, operation: containers })).status).toBe(404);
  expect((await call(request, "POST", `/teams/${team}/containers/${containerId}/deploy`, { token: tokens.outsider, operation: deploy })).status).toBe(404);
  expect((await status("outsider")).status).toBe(404);
  expect((await call(request, "GET", `/teams/${outsiderTeam}/deployments/${deploymentId}`, { token: tokens.outsider, operation: deployment })).status).toBe(404);
});

test("a token over its rate limit gets 429 with Retry-After", async ({ request }) => {
  const statuses: number[] = [];
  let retryAfter: string | undefined;
  const started = Date.now();
  // The outsider's token has made a handful of requests this minute; 130 more cross 120.
  for (let batch = 0; batch < 13; batch++) {
    const rs = await Promise.all(Array.from({ length: 10 }, () => request.get(`/api/v1/teams/${outsiderTeam}/registries`, { headers: { authorization: `Bearer ${tokens.outsider}` } })));
    for (const r of rs) {
      statuses.push(r.status());
      if (r.status() === 429) retryAfter = r.headers()["retry-after"];
    }
  }
  test.info().annotations.push({ type: "throughput", description: `${Math.round((130 * 1000) / (Date.now() - started))} requests/s (registries list, 10 in parallel)` });
  expect(statuses.filter((s) => s === 200).length).toBeLessThanOrEqual(120);
  expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(10);
  expect(Number(retryAfter)).toBeGreaterThan(0);
});

/** A value of another JSON type than `value`'s. */
const otherType = (value: unknown): unknown => (typeof value === "number" ? String(value) : typeof value === "object" && value !== null ? "x" : 1);

/**
 * Answers of a wrong shape made from a right one: an undocumented field, each field of another
 * type; for a list, an item that is not an object and the same changes in its first item.
 */
function wrongShapes(body: unknown): { change: string; body: unknown }[] {
  if (Array.isArray(body)) {
    const inFirst = body.length > 0 ? wrongShapes(body[0]).map((w) => ({ change: `first item: ${w.change}`, body: [w.body, ...body.slice(1)] })) : [];
    return [{ change: "a number as an item", body: [...body, 42] }, ...inFirst];
  }
  const object = body as Record<string, unknown>;
  return [
    { change: "an undocumented field", body: { ...object, undocumented: "x" } },
    ...Object.keys(object).map((key) => ({ change: `${key} as ${JSON.stringify(otherType(object[key]))}`, body: { ...object, [key]: otherType(object[key]) } })),
  ];
}

test("every answer is in the document's schema, each operation's success answer at least once, and none carries a secret", async () => {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  ajv.addFormat("date-time", (s: string) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(s));
  let checked = 0;
  /** Per operation, its fullest success answer and the schema it was checked against. */
  const successes = new Map<string, { body: unknown; length: number; validate: ReturnType<typeof ajv.compile> }>();
  for (const s of seen.filter((s) => s.operation)) {
    const op = doc.paths[s.operation!.path]![s.operation!.method]!;
    const response = op.responses[String(s.status)];
    expect(response, `${s.label} answered ${s.status}, which the document does not list`).toBeTruthy();
    const [mediaType, { schema }] = Object.entries(response!.content!)[0]!;
    expect(s.contentType, s.label).toContain(mediaType);
    const validate = ajv.compile({ ...schema, components: doc.components });
    expect(validate(JSON.parse(s.body)), `${s.label} (${s.status}): ${ajv.errorsText(validate.errors)}`).toBe(true);
    checked++;
    const key = `${s.operation!.method.toUpperCase()} ${s.operation!.path}`;
    if (s.status < 300 && s.body.length > (successes.get(key)?.length ?? -1)) successes.set(key, { body: JSON.parse(s.body), length: s.body.length, validate });
  }
  expect(checked).toBeGreaterThan(50);
  const operations = Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((method) => `${method.toUpperCase()} ${p}`));
  expect([...successes.keys()].sort()).toEqual(operations.sort());

  // The check can fail: each success answer, changed in one place, is out of its schema.
  for (const [operation, { body, validate }] of successes) {
    for (const wrong of wrongShapes(body)) expect(validate(wrong.body), `${operation} with ${wrong.change}`).toBe(false);
  }

  const secrets = [
    PASSWORD,
    "rotated-secret-value-1",
    REGISTRY_PASSWORD,
    kube.token,
    ...Object.values(tokens),
    ...Object.values(EXAMPLE_CREDENTIALS).flatMap((creds) => Object.entries(creds).filter(([field]) => /password|token|secret|key/i.test(field)).map(([, v]) => v)),
  ].filter((v) => v.length >= 8);
  for (const s of seen) {
    // Not any API token at all, not only the ones this spec made ("dky_…" in a hint is not one).
    expect(s.body, s.label).not.toMatch(/dky_[A-Za-z0-9_-]{8}/);
    for (const secret of secrets) expect(s.body.includes(secret), `${s.label} contains a secret`).toBe(false);
    expect(s.body, s.label).not.toMatch(/\bat .+\.(js|ts):\d+/);
  }
});
