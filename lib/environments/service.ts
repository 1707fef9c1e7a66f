import "server-only";
import { and, asc, count, eq, isNull } from "drizzle-orm";
import { db } from "@/db";
import { auditEvents, containers, environments, type Environment, type Orchestrator } from "@/db/schema";
import { constraintOf, isUniqueViolation } from "@/db/errors";
import { newId } from "@/lib/ids";
import { SafeError, fieldError, notFound } from "@/lib/errors";
import { checkOrchestrator, type DeployDeps, type DeployTarget, type OrchestratorCheck } from "@/lib/deploy";
import { namespaceOf } from "@/lib/deploy/manifests";
import { takeLiveCheck } from "@/lib/live-checks";
import { connectionOf, forgetConnection, mergeConnection, refuseLocal, savedAddress, sealed, storedConnection, targetFrom, vetConnection } from "./connection";
import { SECRET_CONNECTION_FIELDS, secretFieldsOf, type ConnectionValues, type EnvironmentEditValues, type EnvironmentValues, type SecretConnectionField } from "./schemas";

type TeamRef = { id: string };
type Actor = { id: string };

/** What any team member may see of an environment: never the kubeconfig, key or TLS material. */
export type EnvironmentView = {
  id: string;
  name: string;
  slug: string;
  namespace: string;
  orchestrator: Orchestrator;
  connection: Record<string, string>;
  /** The secret fields its connection has saved (their values never leave the server). */
  secretFields: SecretConnectionField[];
  containerCount: number;
  createdAt: Date;
};

function toView(row: Environment, containerCount: number): EnvironmentView {
  return {
    id: row.id,
    name: row.name,
    slug: row.slug,
    namespace: namespaceOf(row.slug),
    orchestrator: row.orchestrator,
    connection: row.connection,
    secretFields: row.secretCiphertext ? secretFieldsOf(savedAddress(row)) : [],
    containerCount,
    createdAt: row.createdAt,
  };
}

export async function listEnvironments(teamId: string): Promise<EnvironmentView[]> {
  const rows = await db()
    .select({ env: environments, containerCount: count(containers.id) })
    .from(environments)
    .leftJoin(containers, eq(containers.environmentId, environments.id))
    .where(eq(environments.teamId, teamId))
    .groupBy(environments.id)
    .orderBy(asc(environments.name));
  return rows.map((r) => toView(r.env, Number(r.containerCount)));
}

export async function loadEnvironment(teamId: string, environmentId: string): Promise<Environment> {
  const [row] = await db()
    .select()
    .from(environments)
    .where(and(eq(environments.id, environmentId), eq(environments.teamId, teamId)));
  if (!row) throw notFound("Environment");
  return row;
}

export async function getEnvironment(teamId: string, environmentId: string): Promise<EnvironmentView> {
  const row = await loadEnvironment(teamId, environmentId);
  return toView(row, await containerCount(row.id));
}

async function containerCount(environmentId: string): Promise<number> {
  const [row] = await db().select({ n: count() }).from(containers).where(eq(containers.environmentId, environmentId));
  return Number(row?.n ?? 0);
}

export async function createEnvironment(team: TeamRef, actor: Actor, input: EnvironmentValues) {
  refuseLocal(input);
  await vetConnection(input);
  const id = newId("env");
  const { visible, secret, cluster } = connectionOf(input);
  try {
    await db()
      .insert(environments)
      .values({
        id,
        teamId: team.id,
        name: input.name,
        slug: input.slug,
        orchestrator: input.orchestrator,
        connection: visible,
        cluster,
        ...sealed({ id, teamId: team.id }, secret),
        createdBy: actor.id,
      });
  } catch (err) {
    if (isUniqueViolation(err)) throw slugOrNameTaken(constraintOf(err), input);
    throw err;
  }
  return { environmentId: id };
}

function slugOrNameTaken(constraint: string | undefined, input: EnvironmentValues) {
  if (constraint === "environments_team_slug_idx") return fieldError("slug", `This team already has an environment with the slug ${input.slug}`);
  if (constraint === "environments_cluster_slug_idx") {
    return input.orchestrator === "kubernetes"
      ? fieldError("slug", `The namespace ${namespaceOf(input.slug)} is already used on this cluster by another environment; choose another slug`)
      : fieldError("slug", `The project ${namespaceOf(input.slug)} is already used on this Docker host by another environment; choose another slug`);
  }
  return fieldError("name", `An environment named "${input.name}" already exists in this team`);
}

export async function deleteEnvironment(team: TeamRef, environmentId: string) {
  const row = await loadEnvironment(team.id, environmentId);
  const n = await containerCount(row.id);
  if (n > 0) throw new SafeError("conflict", `This environment still has ${n} container${n === 1 ? "" : "s"}; delete them first (that removes their workloads).`);
  await db().delete(environments).where(and(eq(environments.id, row.id), eq(environments.teamId, team.id)));
  forgetConnection(row);
  return { environmentId: row.id };
}

/** The orchestrator connection with its secret parts decrypted. Server-only. */
export function targetOf(row: Environment): DeployTarget {
  return targetFrom(storedConnection(row), { sshKnownHosts: row.sshKnownHosts, onSshHostKeys: (knownHosts) => recordSshHostKeys(row, knownHosts) });
}

/** The host keys ssh saw on the first connection; only the first record wins (no overwrite). */
async function recordSshHostKeys(row: Pick<Environment, "id" | "teamId">, knownHosts: string) {
  await db()
    .update(environments)
    .set({ sshKnownHosts: knownHosts.slice(0, 20_000) })
    .where(and(eq(environments.id, row.id), eq(environments.teamId, row.teamId), isNull(environments.sshKnownHosts)));
}

/**
 * An edit of `row`, which the caller may change (the action's rule): the name, and the connection
 * merged onto the saved one (an empty secret keeps it). A new host forgets the SSH host keys
 * recorded for the old one; the slug stays, and must still be free where the names now live.
 */
export async function updateEnvironment(team: TeamRef, actor: Actor, row: Environment, input: EnvironmentEditValues) {
  const values = mergeConnection(row, input);
  refuseLocal(values);
  await vetConnection(values);
  const before = storedConnection(row);
  const { visible, secret, cluster } = connectionOf(values);
  const addressChanged = cluster !== row.cluster || JSON.stringify(visible) !== JSON.stringify(row.connection);
  const rotated = SECRET_CONNECTION_FIELDS.filter((f) => (secret[f] ?? "") !== "" && secret[f] !== before[f]);
  const changed = [...(input.name !== row.name ? ["name"] : []), ...(addressChanged ? ["address"] : []), ...rotated];
  if (changed.length === 0) return { environmentId: row.id, changed };
  try {
    await db().transaction(async (tx) => {
      await tx
        .update(environments)
        .set({
          name: input.name,
          connection: visible,
          cluster,
          ...sealed(row, secret),
          // Keys recorded for the old host say nothing about the new one: recorded again on first use.
          ...(values.dockerHost !== before.dockerHost ? { sshKnownHosts: null } : {}),
          updatedAt: new Date(),
        })
        .where(and(eq(environments.id, row.id), eq(environments.teamId, team.id)));
      await tx.insert(auditEvents).values({ teamId: team.id, actorId: actor.id, action: "environment.updated", details: { environmentId: row.id, fields: changed } });
    });
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
    const constraint = constraintOf(err);
    if (constraint !== "environments_cluster_slug_idx") throw slugOrNameTaken(constraint, { ...values, name: input.name, slug: row.slug });
    // The slug cannot change on an edit: the address field is where the collision comes from.
    const place = row.orchestrator === "kubernetes" ? `the namespace ${namespaceOf(row.slug)} on that cluster` : `the project ${namespaceOf(row.slug)} on that Docker host`;
    throw fieldError(row.orchestrator === "kubernetes" ? "kubeconfig" : "dockerHost", `Another environment already uses ${place}: this one cannot move there`);
  }
  forgetConnection(row);
  return { environmentId: row.id, changed };
}

export type ConnectionTest = OrchestratorCheck;

/** The saved connection, as a deploy would use it: any member may ask. */
export async function testEnvironment(team: TeamRef, environmentId: string, deps: DeployDeps = {}): Promise<ConnectionTest> {
  return checkOrchestrator(targetOf(await loadEnvironment(team.id, environmentId)), deps);
}

/**
 * A typed connection before it is saved: a new one, or an edit merged onto `row` (kept secrets
 * only ever go to the host they were saved for). It connects to an address a user typed, so it
 * counts as a live check.
 */
export async function testConnection(actor: Actor, row: Environment | null, input: ConnectionValues, deps: DeployDeps = {}): Promise<ConnectionTest> {
  const values = row ? mergeConnection(row, input) : input;
  refuseLocal(values);
  await vetConnection(values);
  await takeLiveCheck(actor.id);
  // The host keys recorded for this host are enforced; a new host's are not recorded by a test.
  const sameHost = row && values.dockerHost === row.connection.dockerHost;
  return checkOrchestrator(targetFrom(values, sameHost ? { sshKnownHosts: row.sshKnownHosts } : {}), deps);
}
