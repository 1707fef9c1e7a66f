import "server-only";
import { and, asc, count, eq, isNull } from "drizzle-orm";
import { db } from "@/db";
import { containers, environments, type Environment, type Orchestrator } from "@/db/schema";
import { constraintOf, isUniqueViolation } from "@/db/errors";
import { credentialsKeyring } from "@/lib/crypto/keyring";
import { decryptSecret, encryptSecret } from "@/lib/crypto/secrets";
import { newId } from "@/lib/ids";
import { SafeError, fieldError, notFound } from "@/lib/errors";
import { env } from "@/lib/env";
import type { DeployTarget } from "@/lib/deploy";
import { kubeClients, listNamespaces, KubeError } from "@/lib/deploy/kubernetes";
import { namespaceOf } from "@/lib/deploy/manifests";
import { redactor } from "@/lib/deploy/redact";
import { isEgressRefused, resolveVetted } from "@/lib/egress";
import { checkKubeconfig } from "./kubeconfig";
import { SECRET_CONNECTION_FIELDS, type EnvironmentValues } from "./schemas";

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
  containerCount: number;
  createdAt: Date;
};

export const environmentAad = (row: { id: string; teamId: string }) => `environment:${row.teamId}:${row.id}`;
const aad = environmentAad;

function toView(row: Environment, containerCount: number): EnvironmentView {
  return {
    id: row.id,
    name: row.name,
    slug: row.slug,
    namespace: namespaceOf(row.slug),
    orchestrator: row.orchestrator,
    connection: row.connection,
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

/**
 * Splits the form into what is shown (mode, server, Docker host) and what is encrypted, and
 * names the place the environment's names live (`cluster`): two environments with one slug
 * there would write the same namespace, Compose project or Swarm services.
 */
function connectionOf(input: EnvironmentValues): { visible: Record<string, string>; secret: Record<string, string>; cluster: string } {
  if (input.orchestrator === "kubernetes") {
    if (input.kubeMode === "in-cluster") return { visible: { mode: "in-cluster" }, secret: {}, cluster: "in-cluster" };
    const check = checkKubeconfig(input.kubeconfig);
    const summary = check.ok ? check.summary : { server: "", context: "", user: "" };
    const cluster = check.ok ? check.target.server.toLowerCase() : "";
    return { visible: { mode: "kubeconfig", server: summary.server, context: summary.context }, secret: { kubeconfig: input.kubeconfig }, cluster };
  }
  const secret: Record<string, string> = {};
  for (const field of SECRET_CONNECTION_FIELDS) if (field !== "kubeconfig" && input[field]) secret[field] = input[field];
  return { visible: { dockerHost: input.dockerHost }, secret, cluster: input.dockerHost.toLowerCase() };
}

const DNS_AT_SAVE_MS = 3000;

/**
 * The API server or Docker host must be an address the egress policy lets the server reach:
 * refused on its field at save (Test and Deploy vet it again, as DNS may change).
 */
async function vetConnection(input: EnvironmentValues) {
  let field: "kubeconfig" | "dockerHost";
  let host: string;
  if (input.orchestrator === "kubernetes") {
    if (input.kubeMode === "in-cluster") return;
    const check = checkKubeconfig(input.kubeconfig);
    if (!check.ok) return;
    field = "kubeconfig";
    host = new URL(check.target.server).hostname;
  } else {
    if (input.dockerHost.startsWith("unix://")) return;
    field = "dockerHost";
    host = new URL(input.dockerHost).hostname;
  }
  const timeout = new Promise<void>((resolve) => setTimeout(resolve, DNS_AT_SAVE_MS).unref());
  try {
    await Promise.race([resolveVetted(host), timeout]);
  } catch (err) {
    if (isEgressRefused(err)) throw fieldError(field, err.message);
  }
}

const LOCAL_REFUSED = "reaches the dashboard's own host, so any team owner would control it; an operator allows it with ALLOW_LOCAL_ORCHESTRATORS=true";

export async function createEnvironment(team: TeamRef, actor: Actor, input: EnvironmentValues) {
  if (!env().allowLocalOrchestrators) {
    if (input.orchestrator === "kubernetes" && input.kubeMode === "in-cluster") throw fieldError("kubeMode", `The in-cluster service account ${LOCAL_REFUSED}`);
    if (input.orchestrator !== "kubernetes" && input.dockerHost.startsWith("unix://")) throw fieldError("dockerHost", `A unix:// socket ${LOCAL_REFUSED}`);
  }
  await vetConnection(input);
  const id = newId("env");
  const { visible, secret, cluster } = connectionOf(input);
  const keyring = credentialsKeyring();
  const hasSecret = Object.keys(secret).length > 0;
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
        secretCiphertext: hasSecret ? encryptSecret(JSON.stringify(secret), keyring, aad({ id, teamId: team.id })) : null,
        keyId: hasSecret ? keyring.currentId : null,
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
  return { environmentId: row.id };
}

/** The orchestrator connection with its secret parts decrypted. Server-only. */
export function targetOf(row: Environment): DeployTarget {
  const secret = row.secretCiphertext
    ? (JSON.parse(decryptSecret(row.secretCiphertext, credentialsKeyring(), aad(row))) as Record<string, string>)
    : {};
  if (row.orchestrator === "kubernetes") {
    return { orchestrator: "kubernetes", kube: row.connection.mode === "in-cluster" ? { inCluster: true } : { kubeconfig: secret.kubeconfig ?? "" } };
  }
  return {
    orchestrator: row.orchestrator,
    docker: {
      dockerHost: row.connection.dockerHost ?? "",
      sshPrivateKey: secret.sshPrivateKey,
      tlsCa: secret.tlsCa,
      tlsCert: secret.tlsCert,
      tlsKey: secret.tlsKey,
      sshKnownHosts: row.sshKnownHosts,
      onSshHostKeys: (knownHosts) => recordSshHostKeys(row, knownHosts),
    },
  };
}

/** The host keys ssh saw on the first connection; only the first record wins (no overwrite). */
async function recordSshHostKeys(row: Pick<Environment, "id" | "teamId">, knownHosts: string) {
  await db()
    .update(environments)
    .set({ sshKnownHosts: knownHosts.slice(0, 20_000) })
    .where(and(eq(environments.id, row.id), eq(environments.teamId, row.teamId), isNull(environments.sshKnownHosts)));
}

export type ConnectionTest = { ok: boolean; message: string; namespaces?: string[] };

/** Kubernetes: the namespaces the stored credentials can list. Docker: not checked from here yet. */
export async function testEnvironment(team: TeamRef, environmentId: string): Promise<ConnectionTest> {
  const row = await loadEnvironment(team.id, environmentId);
  const target = targetOf(row);
  if (target.orchestrator !== "kubernetes") {
    return { ok: true, message: `Docker host ${target.docker.dockerHost} is checked at the next deploy (login, pull).` };
  }
  if ("kubeconfig" in target.kube) {
    const check = checkKubeconfig(target.kube.kubeconfig);
    if (!check.ok) return { ok: false, message: check.message };
  }
  try {
    const namespaces = await listNamespaces(kubeClients(target.kube));
    return { ok: true, message: `Connected: ${namespaces.length} namespace${namespaces.length === 1 ? "" : "s"} visible`, namespaces };
  } catch (err) {
    if (err instanceof KubeError) return { ok: false, message: redactor("kubeconfig" in target.kube ? [target.kube.kubeconfig] : [])(err.message) };
    if ((err as Error).message?.includes("in-cluster")) return { ok: false, message: "Not running inside a Kubernetes cluster" };
    throw err;
  }
}
