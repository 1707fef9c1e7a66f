import { isDeepStrictEqual } from "node:util";
import fc from "fast-check";
import postgres from "postgres";
import { expect, test } from "@playwright/test";
import { REGISTRY_TYPES, type RegistryType } from "../lib/registries/catalog";
import { EXAMPLE_CREDENTIALS } from "../lib/registries/examples";
import { newAccount, signUp, teamSlugOf } from "./helpers";
import { actionId, callerFor } from "./server-actions";

/**
 * Fuzzes the create and update server actions through the running production server, the way an
 * attacker would call them: a POST to a page with `Next-Action: <id>` and the arguments as a
 * JSON body, which React's reply decoder reads (so raw "$T"-style strings reach the decoder, not
 * only our schemas). Every answer must be a saved row, a field error or another deliberate
 * refusal, never an internal error; HTTP 500s from the framework's own decoding are counted and
 * shown to have changed nothing.
 */

const INPUTS_PER_KIND = 1000;
const CONCURRENCY = 4;
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
const adminUrl = process.env.TEST_DATABASE_ADMIN_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

/** A string React's reply decoder reads as a reference or a special value rather than as text. */
const isFlightMarker = (s: string) => s.startsWith("$") && !s.startsWith("$$");

function hasFlightMarker(value: unknown): boolean {
  if (typeof value === "string") return isFlightMarker(value);
  if (value && typeof value === "object") return Object.values(value).some(hasFlightMarker);
  return false;
}

// ── What the team has saved, read from the server's own database ──────────────

type Snapshot = { registries: Map<string, unknown>; environments: Map<string, unknown>; containers: Map<string, unknown>; audit: Record<string, number> };

/** The test database this server uses: the one holding the account this spec signed up. */
async function databaseOf(email: string): Promise<postgres.Sql> {
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  const names = await admin<{ datname: string }[]>`select datname from pg_database where datname like 'regdash\_%' order by datname desc`;
  await admin.end();
  for (const { datname } of names) {
    const url = new URL(adminUrl);
    url.pathname = `/${datname}`;
    const sql = postgres(url.toString(), { max: 2, onnotice: () => {} });
    const [user] = await sql`select id from users where email = ${email}`.catch(() => []);
    if (user) return sql;
    await sql.end();
  }
  throw new Error(`no regdash_ database holds ${email}`);
}

async function snapshot(sql: postgres.Sql, teamId: string): Promise<Snapshot> {
  const rows = async (table: string) =>
    new Map((await sql<{ id: string; row: unknown }[]>`select id, to_jsonb(t) as row from ${sql(table)} t where team_id = ${teamId}`).map((r) => [r.id, r.row]));
  const audit = await sql<{ action: string; n: number }[]>`select action, count(*)::int as n from audit_events where team_id = ${teamId} group by action`;
  return {
    registries: await rows("registries"),
    environments: await rows("environments"),
    containers: await rows("containers"),
    audit: Object.fromEntries(audit.map((a) => [a.action, a.n])),
  };
}

const added = (before: Map<string, unknown>, after: Map<string, unknown>) => [...after.keys()].filter((id) => !before.has(id)).sort();
const changed = (before: Map<string, unknown>, after: Map<string, unknown>) => [...before.keys()].filter((id) => !isDeepStrictEqual(before.get(id), after.get(id))).sort();

// ── Inputs ─────────────────────────────────────────────────────────────────────

const FLIGHT_MARKERS = ["$T", "$0", "$1", "$2", "$@0", "$@1", "$Q1", "$W1", "$K1", "$n12", "$n1x", "$D2024-01-01", "$Dnope", "$Sx", "$u", "$h0", "$F1", "$i", "$-0", "$N", "$I", "$Z", "$", "$B1", "$A1", "$L1", "$$T", "$$"];
const UNSTORABLE = ["\ud800", "\udc00", "\u0000", "\ud83d"];
const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));

/** Text a person could not type but a request can carry: any UTF-16 code unit, markers, absurd lengths. */
const anyText = fc.oneof(
  { weight: 9, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 9, arbitrary: fc.string({ unit: "binary", maxLength: 40 }) },
  { weight: 6, arbitrary: fc.string({ unit: "grapheme", maxLength: 20 }) },
  { weight: 9, arbitrary: fc.string({ unit: codeUnit, maxLength: 24 }) },
  { weight: 6, arbitrary: fc.constantFrom(...UNSTORABLE) },
  { weight: 3, arbitrary: fc.constantFrom("", " ", "\n", "null", "__proto__", "constructor", "x".repeat(65), "x".repeat(300_000)) },
  // Rarer: most of these never reach an action (the decoder refuses them), so they teach less.
  { weight: 1, arbitrary: fc.constantFrom(...FLIGHT_MARKERS) },
);
const anyNonText = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(-1, 0, 51, 65_536, 2 ** 31, -(2 ** 31) - 1, 2 ** 53 + 2, 1e308),
  fc.boolean(),
  fc.constant(null),
  fc.array(anyText, { maxLength: 3 }),
  fc.dictionary(anyText, anyText, { maxKeys: 3 }),
);

/** Mostly the valid value (so the other fields get exercised), else a broken copy of it or anything at all. */
function around(valid: unknown) {
  const broken =
    typeof valid === "string"
      ? [fc.tuple(fc.nat(), fc.oneof(fc.constantFrom(...UNSTORABLE, "$", " ", "\n"), codeUnit)).map(([at, bad]) => valid.slice(0, at % (valid.length + 1)) + bad + valid.slice(at % (valid.length + 1)))]
      : [];
  return fc.oneof({ weight: 5, arbitrary: fc.constant(valid) }, ...broken.map((arbitrary) => ({ weight: 2, arbitrary })), { weight: 3, arbitrary: anyText }, { weight: 1, arbitrary: anyNonText });
}

/** An object like `valid`, every field fuzzed around its valid value, sometimes missing or with extra keys. */
function inputAround(valid: Record<string, unknown>) {
  const fields = Object.fromEntries(Object.entries(valid).map(([k, v]) => [k, around(v)]));
  const shaped = fc
    .tuple(fc.record(fields, { requiredKeys: Object.keys(valid).filter((_, i) => i % 3 !== 2) }), fc.option(fc.dictionary(anyText, fc.oneof(anyText, anyNonText), { maxKeys: 2 }), { freq: 6 }))
    .map(([input, extra]) => ({ ...input, ...(extra ?? {}) }));
  // Now and then not an object at all: the whole argument is anything JSON can carry.
  return fc.oneof({ weight: 30, arbitrary: shaped }, { weight: 1, arbitrary: fc.oneof(anyText, anyNonText, fc.jsonValue()) });
}

const KUBECONFIG = [
  "apiVersion: v1",
  "kind: Config",
  "clusters: [{ name: c, cluster: { server: 'https://127.0.0.1:6443' } }]",
  "users: [{ name: u, user: { token: fuzz-token } }]",
  "contexts: [{ name: ctx, context: { cluster: c, user: u } }]",
  "current-context: ctx",
].join("\n");
const PEM_KEY = "-----BEGIN OPENSSH PRIVATE KEY-----\nAAAAfuzz\n-----END OPENSSH PRIVATE KEY-----";
const PEM_CERT = "-----BEGIN CERTIFICATE-----\nAAAAfuzz\n-----END CERTIFICATE-----";

/** Credentials that are valid and keep every address on loopback (saving vets registry addresses). */
const VALID_CREDENTIALS: Record<RegistryType, Record<string, string>> = { ...EXAMPLE_CREDENTIALS, Custom: { ...EXAMPLE_CREDENTIALS.Custom, url: "https://127.0.0.1:5000" } };

/** An image each registry serves, so a valid container input can name it. */
const IMAGE_ON: Record<RegistryType, string> = {
  GHCR: "ghcr.io/acme/api",
  Docker: "acme/api",
  ECR: "123456789012.dkr.ecr.eu-central-1.amazonaws.com/api",
  ACR: "contosoregistry.azurecr.io/api",
  GCR: "gcr.io/demo-project/api",
  GAR: "us-central1-docker.pkg.dev/gar-project/repo/api",
  Quay: "quay.io/myorg/api",
  Custom: "127.0.0.1:5000/team/api",
  Public: "nginx",
};

// ── The fuzz ───────────────────────────────────────────────────────────────────

/** Runs `handle` over `jobs`, CONCURRENCY at a time: enough to keep the server busy, not to swamp two cores. */
async function inParallel<T>(jobs: T[], handle: (job: T) => Promise<void>) {
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) await handle(jobs[next++]!);
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
}

type Tally = { inputs: number; saved: number; fieldErrors: number; otherRefusals: Record<string, number>; internal: number; framework500: number; unexpected: string[] };
const tally = (): Tally => ({ inputs: 0, saved: 0, fieldErrors: 0, otherRefusals: {}, internal: 0, framework500: 0, unexpected: [] });

test("create and update actions answer every fuzzed input over HTTP with a result, never an internal error", async ({ page, baseURL }) => {
  // About 12,000 requests: a minute and a half on two idle cores, several minutes on a busy machine.
  test.setTimeout(600_000);
  const account = newAccount("fuzz");
  await signUp(page, account);
  const teamSlug = teamSlugOf(page);
  const call = await callerFor(page, baseURL!);
  const sql = await databaseOf(account.email);
  const [team] = await sql<{ id: string }[]>`select id from teams where slug = ${teamSlug}`;
  const teamId = team!.id;

  const registryPage = `/t/${teamSlug}/settings/registries/new`;
  const environmentPage = `/t/${teamSlug}/environments/new`;
  const actions = {
    createRegistry: actionId("app/_actions/registries.ts", "createRegistryAction"),
    updateRegistry: actionId("app/_actions/registries.ts", "updateRegistryAction"),
    createEnvironment: actionId("app/_actions/environments.ts", "createEnvironmentAction"),
    createContainer: actionId("app/_actions/environments.ts", "createContainerAction"),
  };

  // What the fuzzed inputs name: one registry of each type and one environment, made through the same actions.
  const registryOf = {} as Record<RegistryType, string>;
  for (const def of REGISTRY_TYPES) {
    const r = await call(registryPage, actions.createRegistry, [{ teamSlug, type: def.type, name: `fixture ${def.type}`, credentials: VALID_CREDENTIALS[def.type] }]);
    if (!r.result?.ok) throw new Error(`fixture ${def.type}: ${JSON.stringify(r)}`);
    registryOf[def.type] = String(r.result.data.registryId);
  }
  // Namespaces are unique per cluster, and every run's kubeconfig names the same one.
  const env = await call(environmentPage, actions.createEnvironment, [{ teamSlug, name: "fixture", slug: `fixture-${teamId.slice(-8)}`, orchestrator: "kubernetes", kubeconfig: KUBECONFIG }]);
  if (!env.result?.ok) throw new Error(`fixture environment: ${JSON.stringify(env)}`);
  const environmentId = String(env.result.data.environmentId);
  const containerPage = `/t/${teamSlug}/environments/${environmentId}/containers/new`;

  type Kind = { name: string; pagePath: string; action: string; inputs: unknown[] };
  const sample = (arb: fc.Arbitrary<unknown>, salt: number) => fc.sample(arb, { numRuns: INPUTS_PER_KIND, seed: SEED + salt });
  const withTeam = (arb: fc.Arbitrary<unknown>) =>
    fc.tuple(arb, fc.oneof({ weight: 20, arbitrary: fc.constant(teamSlug) }, { weight: 1, arbitrary: anyText })).map(([input, slug]) =>
      input && typeof input === "object" && !Array.isArray(input) ? { ...input, teamSlug: slug } : input,
    );
  const kinds: Kind[] = [
    ...REGISTRY_TYPES.map((def, i) => ({
      name: `registry create ${def.type}`,
      pagePath: registryPage,
      action: actions.createRegistry,
      inputs: sample(withTeam(inputAround({ type: def.type, name: `fuzz ${def.type}`, credentials: VALID_CREDENTIALS[def.type] }).chain((input) =>
        // The credentials object itself, field by field, is fuzzed too.
        input && typeof input === "object" && "credentials" in input && input.credentials === VALID_CREDENTIALS[def.type]
          ? inputAround(VALID_CREDENTIALS[def.type]).map((credentials) => ({ ...input, credentials }))
          : fc.constant(input),
      )), i),
    })),
    {
      name: "registry update",
      pagePath: registryPage,
      action: actions.updateRegistry,
      inputs: sample(
        withTeam(
          fc.constantFrom(...REGISTRY_TYPES.map((d) => d.type)).chain((type) =>
            inputAround({ registryId: registryOf[type], name: `updated ${type}`, credentials: VALID_CREDENTIALS[type] }).chain((input) =>
              input && typeof input === "object" && "credentials" in input && input.credentials === VALID_CREDENTIALS[type]
                ? inputAround({ ...VALID_CREDENTIALS[type], password: "rotated-password" }).map((credentials) => ({ ...input, credentials }))
                : fc.constant(input),
            ),
          ),
        ),
        100,
      ),
    },
    {
      name: "environment create",
      pagePath: environmentPage,
      action: actions.createEnvironment,
      inputs: sample(
        withTeam(
          fc.oneof(
            inputAround({ name: "fuzz env", slug: "fuzz-env", orchestrator: "kubernetes", kubeMode: "kubeconfig", kubeconfig: KUBECONFIG }),
            inputAround({ name: "fuzz ssh", slug: "fuzz-ssh", orchestrator: "swarm", dockerHost: "ssh://deploy@127.0.0.1", sshPrivateKey: PEM_KEY }),
            inputAround({ name: "fuzz tcp", slug: "fuzz-tcp", orchestrator: "compose", dockerHost: "tcp://127.0.0.1:2376", tlsCa: PEM_CERT, tlsCert: PEM_CERT, tlsKey: PEM_KEY }),
          ),
        ),
        200,
      ),
    },
    {
      name: "container create",
      pagePath: containerPage,
      action: actions.createContainer,
      inputs: sample(
        withTeam(
          fc.constantFrom(...REGISTRY_TYPES.map((d) => d.type)).chain((type) =>
            inputAround({ environmentId, name: "web", registryId: registryOf[type], imageName: IMAGE_ON[type], imageTag: "1.27", replicas: 2, port: 8080 }),
          ),
        ),
        300,
      ),
    },
  ];

  const before = await snapshot(sql, teamId);
  const tallies = new Map(kinds.map((k) => [k.name, tally()]));
  const createdIds = { registries: new Set<string>(), environments: new Set<string>(), containers: new Set<string>() };
  let updatesThatChanged = 0;
  const decoderRefused: { kind: Kind; input: unknown }[] = [];
  const started = Date.now();

  await inParallel(kinds.flatMap((kind) => kind.inputs.map((input) => ({ kind, input }))), async (job) => {
    const { kind, input } = job;
    const t = tallies.get(kind.name)!;
    t.inputs++;
    const { status, result } = await call(kind.pagePath, kind.action, [input]);
    if (status === 500 && hasFlightMarker(input)) {
      t.framework500++;
      decoderRefused.push(job);
    } else if (status !== 200 || !result) {
      t.unexpected.push(`HTTP ${status} for ${JSON.stringify(input).slice(0, 200)}`);
    } else if (result.ok) {
      t.saved++;
      const data = result.data;
      if (typeof data.registryId === "string" && kind.action === actions.createRegistry) createdIds.registries.add(data.registryId);
      if (typeof data.environmentId === "string") createdIds.environments.add(data.environmentId);
      if (typeof data.containerId === "string") createdIds.containers.add(data.containerId);
      if (kind.action === actions.updateRegistry && Array.isArray(data.changed) && data.changed.length > 0) updatesThatChanged++;
    } else if (result.code === "internal") {
      t.internal++;
      t.unexpected.push(`internal error for ${JSON.stringify(input).slice(0, 200)}`);
    } else if (result.code === "invalid" && result.fieldErrors && Object.keys(result.fieldErrors).length > 0) {
      t.fieldErrors++;
    } else {
      t.otherRefusals[result.code] = (t.otherRefusals[result.code] ?? 0) + 1;
    }
  });
  const seconds = (Date.now() - started) / 1000;
  const after = await snapshot(sql, teamId);

  console.log(`input fuzz over HTTP: seed ${SEED}, ${kinds.reduce((n, k) => n + k.inputs.length, 0)} requests in ${seconds.toFixed(1)} s (${CONCURRENCY} at a time)`);
  for (const [name, t] of tallies) {
    const other = Object.entries(t.otherRefusals).map(([code, n]) => `${code} ${n}`).join(", ") || "none";
    console.log(`  ${name.padEnd(24)} inputs ${t.inputs}  saved ${t.saved}  field errors ${t.fieldErrors}  other refusals (${other})  internal errors ${t.internal}  framework 500s ${t.framework500}`);
  }

  for (const [name, t] of tallies) {
    expect(t.inputs, name).toBeGreaterThanOrEqual(INPUTS_PER_KIND);
    expect(t.internal, name).toBe(0);
    expect(t.unexpected, name).toEqual([]);
  }

  // Only what an action reported saving changed: nothing refused (field error, 500, anything) wrote a row.
  expect(added(before.registries, after.registries)).toEqual([...createdIds.registries].sort());
  expect(added(before.environments, after.environments)).toEqual([...createdIds.environments].sort());
  expect(added(before.containers, after.containers)).toEqual([...createdIds.containers].sort());
  expect(changed(before.environments, after.environments)).toEqual([]);
  expect(changed(before.containers, after.containers)).toEqual([]);
  for (const id of changed(before.registries, after.registries)) expect(Object.values(registryOf)).toContain(id);
  const delta = (action: string) => (after.audit[action] ?? 0) - (before.audit[action] ?? 0);
  expect(delta("registry.created")).toBe(createdIds.registries.size);
  expect(delta("registry.updated")).toBe(updatesThatChanged);
  expect(delta("container.created")).toBe(createdIds.containers.size);

  // The framework's 500s once more, alone: each is refused again and the team's data stays byte for byte the same.
  const quiet = await snapshot(sql, teamId);
  const replayStatuses: number[] = [];
  await inParallel(decoderRefused, async ({ kind, input }) => {
    replayStatuses.push((await call(kind.pagePath, kind.action, [input])).status);
  });
  expect(new Set(replayStatuses)).toEqual(new Set(decoderRefused.length > 0 ? [500] : []));
  expect(await snapshot(sql, teamId)).toEqual(quiet);
  console.log(
    `  framework 500s: ${decoderRefused.length}, all from inputs with a raw Flight marker ("$T", "$1", …); replayed alone they changed nothing ` +
      `(${quiet.registries.size} registries, ${quiet.environments.size} environments, ${quiet.containers.size} containers compared before and after)`,
  );
  await sql.end();
});
