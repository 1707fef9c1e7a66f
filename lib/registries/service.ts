import "server-only";
import { readFileSync } from "node:fs";
import { and, asc, count, desc, eq, ilike, sql } from "drizzle-orm";
import { db, preparedQuery } from "@/db";
import type { Db } from "@/db/client";
import { auditEvents, containers, environments, memberships, pullSecrets, registries, teams, users, type Environment, type Registry, type RefreshRecord, type TestOutcome } from "@/db/schema";
import { removePullSecret, type DeployDeps } from "@/lib/deploy";
import { KubeError } from "@/lib/deploy/kubernetes";
import { namespaceOf } from "@/lib/deploy/manifests";
import { targetOf } from "@/lib/environments/service";
import { errorForLog, logger } from "@/lib/logger";
import { env } from "@/lib/env";
import { isEgressRefused, resolveVetted } from "@/lib/egress";
import { takeLiveCheck } from "@/lib/live-checks";
import { liveCheck, type LiveCheckOptions } from "./live-check";
import { issueTestToken, keptTest } from "./test-token";
import { MAX_LIST_PAGE, type CreateRegistryInput } from "./schemas";
import type { RegistryCreator } from "./permissions";
import { isForeignKeyViolation, isUniqueViolation } from "@/db/errors";
import { credentialsKeyring } from "@/lib/crypto/keyring";
import { decryptSecret, encryptSecret } from "@/lib/crypto/secrets";
import { newId } from "@/lib/ids";
import { recordLiveCheck } from "@/lib/metrics";
import { SafeError, fieldError } from "@/lib/errors";
import { fieldErrorsOf } from "@/lib/actions/safe-action";
import {
  credentialsDestinationOf,
  credentialsSchemaFor,
  defaultImageHostOf,
  imageHostsOf,
  isAnonymous,
  registryType,
  secretFieldNames,
  serverHostOf,
  splitCredentials,
  typeDef,
  updateSchemaFor,
  type Credentials,
  type RegistryType,
} from "./catalog";

export const PAGE_SIZE = 50;

type Actor = { id: string };
type TeamRef = { id: string };

/** What any team member may see of a registry: never a secret value, only which secrets are set. */
export type RegistryView = {
  id: string;
  name: string;
  type: RegistryType;
  typeLabel: string;
  serverHost: string;
  visibleFields: Credentials;
  secretFields: string[];
  credentialVersion: number;
  /** Null when their account is gone; `inTeam` false once they left the team. */
  createdBy: { id: string; name: string; inTeam: boolean } | null;
  createdAt: Date;
  updatedAt: Date;
  lastTestAt: Date | null;
  lastTest: TestOutcome | null;
  lastRefresh: RefreshRecord | null;
  containerCount: number;
};

/** Binds a registry's ciphertext to its row: copied to another registry it does not decrypt. */
export const aad = (row: { id: string; teamId: string }) => `registry:${row.teamId}:${row.id}`;

function encrypt(row: { id: string; teamId: string }, secret: Credentials) {
  if (Object.keys(secret).length === 0) return { secretCiphertext: null, keyId: null };
  const keyring = credentialsKeyring();
  return { secretCiphertext: encryptSecret(JSON.stringify(secret), keyring, aad(row)), keyId: keyring.currentId };
}

/** The full credentials of a stored registry. Server-only: never hand the result to UI code. */
export function decryptCredentials(row: Pick<Registry, "id" | "teamId" | "visibleFields" | "secretCiphertext">): Credentials {
  const secret = row.secretCiphertext ? (JSON.parse(decryptSecret(row.secretCiphertext, credentialsKeyring(), aad(row))) as Credentials) : {};
  return { ...row.visibleFields, ...secret };
}

const nameTaken = (name: string) => fieldError("name", `A registry named “${name}” already exists in this team`);

async function audit(teamId: string, registryId: string, actorId: string, action: string, details: Record<string, unknown> = {}) {
  await db().insert(auditEvents).values({ teamId, registryId, actorId, action, details });
}

// ── Reading ───────────────────────────────────────────────────────────────────

const containerCount = sql<number>`(select count(*)::int from ${containers} where ${containers.registryId} = ${registries.id})`;
const creatorInTeam = sql<boolean>`exists (select 1 from ${memberships} where ${memberships.teamId} = ${registries.teamId} and ${memberships.userId} = ${registries.createdBy})`;
/**
 * A registry with its creator's name and membership and how many containers use it: the columns
 * the registries page shows (`listRegistrySummaries`), so neither the ciphertext nor its key id
 * leave the database for a list; views of one registry and the API (`viewColumns`) add a few.
 */
const summaryColumns = {
  row: {
    id: registries.id,
    name: registries.name,
    type: registries.type,
    visibleFields: registries.visibleFields,
    credentialVersion: registries.credentialVersion,
    createdAt: registries.createdAt,
    updatedAt: registries.updatedAt,
    lastTestAt: registries.lastTestAt,
    lastTest: registries.lastTest,
  },
  creatorName: users.name,
  creatorInTeam,
  containers: containerCount,
};
const viewColumns = {
  ...summaryColumns,
  row: { ...summaryColumns.row, lastRefresh: registries.lastRefresh },
  hasSecret: sql<boolean>`${registries.secretCiphertext} is not null`,
  creatorId: users.id,
};

/** What the registries list shows of a registry; the API's list gives the whole view (`listRegistries`). */
export type RegistrySummary = Pick<RegistryView, "id" | "name" | "typeLabel" | "serverHost" | "credentialVersion" | "createdAt" | "updatedAt" | "lastTestAt" | "lastTest" | "containerCount"> & {
  createdBy: { name: string; inTeam: boolean } | null;
};
type SummaryRow = { row: Pick<Registry, keyof (typeof summaryColumns)["row"]>; creatorName: string | null; creatorInTeam: boolean; containers: number };
type ViewRow = Omit<SummaryRow, "row"> & { row: Pick<Registry, keyof (typeof viewColumns)["row"]>; hasSecret: boolean; creatorId: string | null };

function toSummary({ row, creatorName, creatorInTeam, containers: containerCount }: SummaryRow): RegistrySummary {
  const type = row.type as RegistryType;
  const { id, name, credentialVersion, createdAt, updatedAt, lastTestAt, lastTest } = row;
  const createdBy = creatorName === null ? null : { name: creatorName, inTeam: creatorInTeam };
  return { id, name, typeLabel: registryType(type)?.label ?? type, serverHost: serverHostOf(type, row.visibleFields), credentialVersion, createdBy, createdAt, updatedAt, lastTestAt, lastTest, containerCount };
}

/** The summary, with the fields, which secrets are set, the creator's id and the last refresh. */
function toView({ hasSecret, creatorId, ...summaryRow }: ViewRow): RegistryView {
  const { row, creatorName, creatorInTeam } = summaryRow;
  const type = row.type as RegistryType;
  return {
    ...toSummary(summaryRow),
    type,
    visibleFields: row.visibleFields,
    secretFields: hasSecret ? secretFieldNames(type) : [],
    createdBy: creatorId ? { id: creatorId, name: creatorName ?? "", inTeam: creatorInTeam } : null,
    lastRefresh: row.lastRefresh,
  };
}

function escapeLike(s: string) {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** The team's registries, those whose name matches the pattern when searching, with placeholders for the values. */
const teamRegistries = (searching: boolean) =>
  and(eq(registries.teamId, sql.placeholder("teamId")), searching ? ilike(registries.name, sql.placeholder("pattern")) : undefined);

const columnSets = { view: viewColumns, summary: summaryColumns };

/**
 * A page of the team's registries by name, with a column set and their creator. Typed with every
 * column of both sets: each caller maps the rows with the function for its own set.
 */
const registryPage = (db: Db, columns: keyof typeof columnSets, searching: boolean) =>
  db
    .select(columnSets[columns] as typeof viewColumns & typeof summaryColumns)
    .from(registries)
    .leftJoin(users, eq(users.id, registries.createdBy))
    .where(teamRegistries(searching))
    .orderBy(asc(registries.name))
    .limit(PAGE_SIZE)
    .offset(sql.placeholder("offset"));

// Without a search, the list and its total are prepared statements: one plan (the team's name
// index, the team's kept count from drizzle/0011) fits every team. A search is planned with its
// pattern every time: a plan made without it, which PostgreSQL may switch a prepared statement to
// after five runs, filters every registry of a large team instead of using the trigram index.
const unsearchedPages = {
  view: preparedQuery((db) => registryPage(db, "view", false).prepare("registry_views")),
  summary: preparedQuery((db) => registryPage(db, "summary", false).prepare("registry_summaries")),
};
const teamRegistryCount = preparedQuery((db) => db.select({ n: teams.registryCount }).from(teams).where(eq(teams.id, sql.placeholder("teamId"))).prepare("registry_count"));

/** One page of the team's registries by name (those whose name contains `search` if given), with how many match. */
async function registryList(teamId: string, opts: { search?: string; page?: number }, columns: keyof typeof columnSets) {
  // The page comes from the URL as well: `?page=1e20` shows an empty page, not an error.
  const page = Math.min(MAX_LIST_PAGE, Math.max(1, Math.floor(opts.page ?? 1)));
  const values = { teamId, pattern: `%${escapeLike(opts.search ?? "")}%`, offset: (page - 1) * PAGE_SIZE };
  const [rows, [total]] = await Promise.all(
    opts.search
      ? [registryPage(db(), columns, true).execute(values), db().select({ n: count() }).from(registries).where(teamRegistries(true)).execute(values)]
      : [unsearchedPages[columns]().execute(values), teamRegistryCount().execute(values)],
  );
  return { rows, total: total?.n ?? 0, page, pageSize: PAGE_SIZE };
}

/** The whole view of each registry on the page (the API's list, the list action). */
export async function listRegistries(teamId: string, opts: { search?: string; page?: number } = {}) {
  const { rows, ...list } = await registryList(teamId, opts, "view");
  return { items: rows.map(toView), ...list };
}

/** The registries page's rows: only the columns it shows. */
export async function listRegistrySummaries(teamId: string, opts: { search?: string; page?: number } = {}) {
  const { rows, ...list } = await registryList(teamId, opts, "summary");
  return { items: rows.map(toSummary), ...list };
}

/** Every registry of the team with the hosts its images live on (from non-secret fields only), for pickers. */
export async function registryChoices(teamId: string) {
  const rows = await db()
    .select({ id: registries.id, name: registries.name, type: registries.type, visibleFields: registries.visibleFields })
    .from(registries)
    .where(eq(registries.teamId, teamId))
    .orderBy(asc(registries.name));
  return rows.map((r) => {
    const type = r.type as RegistryType;
    const imageHosts = imageHostsOf(type, r.visibleFields);
    return { id: r.id, name: r.name, type, typeLabel: typeDef(type).label, anonymous: isAnonymous(type), imageHosts, defaultImageHost: defaultImageHostOf(type, r.visibleFields) };
  });
}

export async function loadRow(teamId: string, registryId: string): Promise<Registry> {
  const [row] = await db()
    .select()
    .from(registries)
    .where(and(eq(registries.id, registryId), eq(registries.teamId, teamId)));
  if (!row) throw new SafeError("not_found", "Registry not found");
  return row;
}

export async function getRegistry(teamId: string, registryId: string): Promise<RegistryView> {
  const [r] = await db()
    .select(viewColumns)
    .from(registries)
    .leftJoin(users, eq(users.id, registries.createdBy))
    .where(and(eq(registries.id, registryId), eq(registries.teamId, teamId)));
  if (!r) throw new SafeError("not_found", "Registry not found");
  return toView(r);
}

/** The stored row with who added it and whether they are still in the team, for the delete rule. */
export async function loadRowWithCreator(teamId: string, registryId: string): Promise<Registry & { creator: RegistryCreator }> {
  const [r] = await db()
    .select({ row: registries, creatorName: users.name, creatorInTeam })
    .from(registries)
    .leftJoin(users, eq(users.id, registries.createdBy))
    .where(and(eq(registries.id, registryId), eq(registries.teamId, teamId)));
  if (!r) throw new SafeError("not_found", "Registry not found");
  return { ...r.row, creator: r.creatorName === null ? null : { name: r.creatorName, inTeam: r.creatorInTeam } };
}

export async function listAudit(teamId: string, registryId: string) {
  return db()
    .select({ id: auditEvents.id, action: auditEvents.action, details: auditEvents.details, at: auditEvents.at, actorName: users.name })
    .from(auditEvents)
    .leftJoin(users, eq(users.id, auditEvents.actorId))
    .where(and(eq(auditEvents.teamId, teamId), eq(auditEvents.registryId, registryId)))
    .orderBy(desc(auditEvents.at), desc(auditEvents.id))
    .limit(100);
}

/** The `{ name, type, credentials }` shape users import, without any secret. */
export function exportShape(view: RegistryView) {
  return { name: view.name, type: view.type, credentials: view.visibleFields };
}

// ── Writing ───────────────────────────────────────────────────────────────────

const DNS_AT_SAVE_MS = 3000;

/**
 * A URL field names where the server (live check, a deploy's login) will send the credentials:
 * an address the egress policy refuses is refused here already, on the field. A name that does
 * not resolve (yet) is not an error at save; the deploy vets it again.
 */
async function vetAddressFields(type: RegistryType, credentials: Credentials) {
  for (const [name, field] of Object.entries(typeDef(type).fields)) {
    if (field.kind !== "url" || !credentials[name]) continue;
    let host: string;
    try {
      host = new URL(credentials[name]).hostname;
    } catch {
      continue; // the field's own schema reports a malformed URL
    }
    const timeout = new Promise<void>((resolve) => setTimeout(resolve, DNS_AT_SAVE_MS).unref());
    try {
      await Promise.race([resolveVetted(host), timeout]);
    } catch (err) {
      if (isEgressRefused(err)) throw fieldError(`credentials.${name}`, err.message);
    }
  }
}

/**
 * `testToken`: a Test Connection of these exact credentials run in the Add form, which becomes the
 * registry's last test; a token for other credentials, another user or team, or an expired one is
 * ignored (the registry is then "never tested"), never trusted.
 */
export async function createRegistry(team: TeamRef, actor: Actor, input: CreateRegistryInput) {
  await vetAddressFields(input.type, input.credentials);
  const id = newId("reg");
  const { visible, secret } = splitCredentials(input.type, input.credentials);
  const tested = keptTest(input.testToken, { teamId: team.id, userId: actor.id, type: input.type, credentials: input.credentials });
  try {
    await db().transaction(async (tx) => {
      await tx.insert(registries).values({
        id,
        teamId: team.id,
        name: input.name,
        type: input.type,
        visibleFields: visible,
        ...encrypt({ id, teamId: team.id }, secret),
        createdBy: actor.id,
        ...(tested ? { lastTest: tested.outcome, lastTestAt: tested.at } : {}),
      });
      await tx.insert(auditEvents).values({ teamId: team.id, registryId: id, actorId: actor.id, action: "registry.created", details: { name: input.name, type: input.type } });
      if (tested) await tx.insert(auditEvents).values({ teamId: team.id, registryId: id, actorId: actor.id, action: "registry.tested", details: { ...testAuditDetails(tested.outcome), beforeSaving: true } });
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw nameTaken(input.name);
    throw err;
  }
  return { registryId: id };
}

/**
 * Merges an edit (empty secret = keep) onto the stored credentials and validates the result.
 * A kept secret is only ever sent where it was saved for: an edit that changes the registry's
 * address must type the secrets again, or anyone allowed to test could send them elsewhere.
 */
export function mergeEdit(row: Registry, edit: Credentials): Credentials {
  const type = row.type as RegistryType;
  const stored = decryptCredentials(row);
  const merged: Credentials = {};
  const kept: string[] = [];
  for (const name of Object.keys(typeDef(type).fields)) {
    const value = edit[name];
    const keep = value === undefined || (value === "" && secretFieldNames(type).includes(name));
    if (keep && secretFieldNames(type).includes(name)) kept.push(name);
    merged[name] = keep ? (stored[name] ?? "") : value;
  }
  const parsed = credentialsSchemaFor(type).safeParse(merged);
  if (!parsed.success) {
    throw new SafeError("invalid", "Some fields need attention", prefixKeys(fieldErrorsOf(parsed.error), "credentials."));
  }
  if (kept.length > 0 && credentialsDestinationOf(type, parsed.data) !== credentialsDestinationOf(type, stored)) {
    const fields = typeDef(type).fields;
    throw new SafeError(
      "invalid",
      "The registry's address changed: enter its secrets again",
      Object.fromEntries(kept.map((n) => [`credentials.${n}`, [`Enter the ${fields[n]!.label.toLowerCase()} again: a saved secret is only sent to the address it was saved for`]])),
    );
  }
  return parsed.data;
}

function prefixKeys(errors: Record<string, string[]>, prefix: string) {
  return Object.fromEntries(Object.entries(errors).map(([k, v]) => [k === "_form" ? "credentials" : `${prefix}${k}`, v]));
}

/** An empty secret field means "keep the stored value". */
function secretDefaults(type: RegistryType): Credentials {
  return Object.fromEntries(secretFieldNames(type).map((n) => [n, ""]));
}

/** Parses an edit against the stored registry's type (the type itself cannot change). */
export function parseEdit(row: Registry, raw: { name?: unknown; credentials?: unknown }) {
  // Fields left out keep their stored values: `{ credentials: { password } }` rotates just that.
  const given = raw.credentials ?? {};
  const isObject = typeof given === "object" && given !== null && !Array.isArray(given);
  const credentials = isObject ? { ...row.visibleFields, ...secretDefaults(row.type as RegistryType), ...given } : given;
  const parsed = updateSchemaFor(row.type as RegistryType).safeParse({ name: raw.name ?? row.name, credentials });
  if (!parsed.success) throw parsed.error;
  return parsed.data as { name: string; credentials: Credentials };
}

/** An edit of `row`, which the caller may change (the action's rule). */
export async function updateRegistry(team: TeamRef, actor: Actor, row: Registry, input: { name?: unknown; credentials?: unknown }) {
  const edit = parseEdit(row, input);
  const type = row.type as RegistryType;
  const before = decryptCredentials(row);
  const after = mergeEdit(row, edit.credentials);
  await vetAddressFields(type, after);
  const changedFields = Object.keys(after).filter((k) => after[k] !== before[k]);
  const secretsChanged = changedFields.filter((k) => secretFieldNames(type).includes(k));
  const renamed = edit.name !== row.name;
  if (changedFields.length === 0 && !renamed) return { registryId: row.id, credentialVersion: row.credentialVersion, changed: [] as string[] };

  const { visible, secret } = splitCredentials(type, after);
  const credentialsChanged = changedFields.length > 0;
  const fields = [...(renamed ? ["name"] : []), ...changedFields];
  let credentialVersion: number;
  try {
    credentialVersion = await db().transaction(async (tx) => {
      // The database adds one under the row lock: parallel rotations each get their own version.
      const [updated] = await tx
        .update(registries)
        .set({
          name: edit.name,
          visibleFields: visible,
          ...encrypt(row, secret),
          ...(credentialsChanged ? { credentialVersion: sql`${registries.credentialVersion} + 1` } : {}),
          updatedAt: new Date(),
          // A test result said something about the old credentials, not these.
          ...(credentialsChanged ? { lastTest: null, lastTestAt: null } : {}),
        })
        .where(and(eq(registries.id, row.id), eq(registries.teamId, team.id)))
        .returning({ credentialVersion: registries.credentialVersion });
      if (!updated) throw new SafeError("not_found", "Registry not found");
      await tx.insert(auditEvents).values({ teamId: team.id, registryId: row.id, actorId: actor.id, action: "registry.updated", details: { fields, credentialVersion: updated.credentialVersion } });
      if (secretsChanged.length > 0) {
        await tx.insert(auditEvents).values({
          teamId: team.id,
          registryId: row.id,
          actorId: actor.id,
          action: "registry.rotated",
          details: { fields: secretsChanged, credentialVersion: updated.credentialVersion },
        });
      }
      return updated.credentialVersion;
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw nameTaken(edit.name);
    throw err;
  }
  return { registryId: row.id, credentialVersion, changed: fields };
}

async function containersUsing(registryId: string) {
  return db()
    .select({ name: containers.name, environment: environments.name })
    .from(containers)
    .innerJoin(environments, eq(environments.id, containers.environmentId))
    .where(eq(containers.registryId, registryId))
    .orderBy(asc(environments.name), asc(containers.name));
}

function inUse(using: { name: string; environment: string }[]) {
  const names = using.map((c) => `${c.environment}/${c.name}`).join(", ");
  return new SafeError("conflict", `This registry is used by ${using.length} container${using.length === 1 ? "" : "s"}: ${names}. Point them at another registry or delete them first.`);
}

/** Deletes `row`, which the caller may delete (the action's rule): refused while a container uses it. */
export async function deleteRegistry(team: TeamRef, actor: Actor, row: Registry & { creator: RegistryCreator }, deps: DeployDeps = {}) {
  const using = await containersUsing(row.id);
  if (using.length > 0) throw inUse(using);
  // Where its pull secrets were written; the rows go with the registry, the Secrets are removed after.
  const written = await db()
    .select({ environment: environments })
    .from(pullSecrets)
    .innerJoin(environments, eq(environments.id, pullSecrets.environmentId))
    .where(and(eq(pullSecrets.registryId, row.id), eq(pullSecrets.teamId, team.id)));
  try {
    await db().transaction(async (tx) => {
      await tx.delete(registries).where(and(eq(registries.id, row.id), eq(registries.teamId, team.id)));
      // A team owner deleting for a creator who has left: the history says on whose behalf.
      const forFormerMember = row.createdBy !== actor.id ? { onBehalfOf: row.creator?.name ?? "a deleted account" } : {};
      await tx.insert(auditEvents).values({ teamId: team.id, registryId: row.id, actorId: actor.id, action: "registry.deleted", details: { name: row.name, type: row.type, ...forFormerMember } });
    });
  } catch (err) {
    // A container was pointed at the registry after the check: the foreign key refuses the delete.
    if (isForeignKeyViolation(err)) throw inUse(await containersUsing(row.id));
    throw err;
  }
  const cleanup = await removePullSecrets(row, written.map((w) => w.environment), deps);
  if (written.length > 0) {
    await db().insert(auditEvents).values({ teamId: team.id, registryId: row.id, actorId: actor.id, action: "registry.pull_secrets_removed", details: cleanup });
  }
  return { registryId: row.id, ...cleanup };
}

/** Best effort: the registry is gone either way; what could not be removed is reported and audited. */
async function removePullSecrets(row: Registry, envs: Environment[], deps: DeployDeps) {
  const removed: string[] = [];
  const failed: { namespace: string; message: string }[] = [];
  for (const env of envs) {
    try {
      await removePullSecret(targetOf(env), env, row, deps);
      removed.push(namespaceOf(env.slug));
    } catch (err) {
      failed.push({ namespace: namespaceOf(env.slug), message: err instanceof KubeError ? err.message : "unexpected error" });
      if (!(err instanceof KubeError)) logger.error({ ...errorForLog(err) }, "pull secret cleanup failed");
    }
  }
  return { removedFrom: removed, failedIn: failed };
}

// ── Test Connection: structural, then live ────────────────────────────────────

export type TestInput = { registryId?: string; type?: RegistryType; credentials?: Credentials; image?: string; live?: boolean };

/** Checks that every field is present and well-formed, per field. */
export function checkStructure(type: RegistryType, credentials: unknown): TestOutcome {
  const parsed = credentialsSchemaFor(type).safeParse(credentials);
  if (parsed.success) return { ok: true, message: `Valid: every ${typeDef(type).label} field is present and well-formed` };
  return { ok: false, message: "Some fields are not valid", fieldErrors: prefixKeys(fieldErrorsOf(parsed.error), "credentials.") };
}

export function liveOptions(image?: string): LiveCheckOptions {
  const e = env();
  let extraCa: string | undefined;
  if (e.liveCheckCaFile) {
    try {
      extraCa = readFileSync(e.liveCheckCaFile, "utf8");
    } catch {
      logger.warn({ file: e.liveCheckCaFile }, "LIVE_CHECK_CA_FILE cannot be read; using the system CAs only");
    }
  }
  return { image, extraCa, ecrEndpoint: e.ecrEndpointUrl };
}

/**
 * The structural check, then (when it passes and the type has credentials) the live check
 * against the registry itself. The verdict is the live one when there is one.
 */
async function checkWith(actor: Actor, type: RegistryType, credentials: Credentials, input: TestInput, deps: { live?: LiveCheckOptions }): Promise<TestOutcome> {
  const structural = checkStructure(type, credentials);
  if (!structural.ok || input.live === false) return structural;
  // A public registry's check connects nowhere ("nothing to check"): it costs no live check.
  if (!isAnonymous(type)) await takeLiveCheck(actor.id);
  const started = performance.now();
  const live = await liveCheck(type, credentialsSchemaFor(type).parse(credentials), { ...liveOptions(input.image), ...deps.live });
  recordLiveCheck({ userId: actor.id, registryType: type, outcome: live.status, host: live.host, durationMs: Math.round(performance.now() - started) });
  return { ok: live.ok || live.status === "not_applicable", message: structural.message, live };
}

function testAuditDetails(outcome: TestOutcome) {
  return {
    ok: outcome.ok,
    message: outcome.live?.message ?? outcome.message,
    ...(outcome.live ? { live: outcome.live.status } : {}),
    fields: Object.keys(outcome.fieldErrors ?? {}),
  };
}

/** A test result, and for typed credentials of a new registry the token that keeps it when they are saved. */
export type TestResult = TestOutcome & { testToken?: string };

/**
 * Tests new credentials (`row` null), an edit of a saved registry's (the caller may update it: the
 * action's rule), or the saved ones (recorded as its last test).
 */
export async function testRegistry(team: TeamRef, actor: Actor, row: Registry | null, input: TestInput, deps: { live?: LiveCheckOptions } = {}): Promise<TestResult> {
  if (!row) {
    if (!input.type) throw fieldError("type", "Choose a registry type");
    const outcome = await checkWith(actor, input.type, input.credentials ?? {}, input, deps);
    if (outcome.fieldErrors) return outcome;
    // Bound to the credentials as parsed, which is what the create action parses too.
    const credentials = credentialsSchemaFor(input.type).parse(input.credentials ?? {});
    return { ...outcome, testToken: issueTestToken({ teamId: team.id, userId: actor.id, type: input.type, credentials }, outcome) };
  }
  const type = row.type as RegistryType;
  if (input.credentials) {
    // From the edit form: unsaved values merged onto the stored ones; nothing is recorded.
    let merged: Credentials;
    try {
      merged = mergeEdit(row, input.credentials);
    } catch (err) {
      if (err instanceof SafeError && err.fieldErrors) return { ok: false, message: "Some fields are not valid", fieldErrors: err.fieldErrors };
      throw err;
    }
    return checkWith(actor, type, merged, input, deps);
  }
  const outcome = await checkWith(actor, type, decryptCredentials(row), input, deps);
  await db().update(registries).set({ lastTestAt: new Date(), lastTest: outcome }).where(and(eq(registries.id, row.id), eq(registries.teamId, team.id)));
  await audit(team.id, row.id, actor.id, "registry.tested", testAuditDetails(outcome));
  return outcome;
}
