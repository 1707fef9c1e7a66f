import "server-only";
import type { Environment } from "@/db/schema";
import { credentialsKeyring } from "@/lib/crypto/keyring";
import { decryptSecret, encryptSecret, keyIdOf } from "@/lib/crypto/secrets";
import { BoundedCache } from "@/lib/bounded-cache";
import { env } from "@/lib/env";
import { SafeError, fieldError } from "@/lib/errors";
import { fieldErrorsOf } from "@/lib/actions/safe-action";
import type { DeployTarget } from "@/lib/deploy";
import type { DockerHost } from "@/lib/deploy/docker";
import { isEgressRefused, resolveVetted } from "@/lib/egress";
import { checkKubeconfig } from "./kubeconfig";
import { CONNECTION_FIELDS, secretFieldsOf, testConnectionSchema, type ConnectionValues, type SecretConnectionField } from "./schemas";

/**
 * An environment's connection: what the form typed, what is saved (shown and encrypted), and
 * the deploy target the server connects to. Shared by create, edit, the Test of typed values and
 * the Test of a saved environment.
 */

export const environmentAad = (row: { id: string; teamId: string }) => `environment:${row.teamId}:${row.id}`;

/**
 * Splits a connection into what is shown (mode, server, Docker host) and what is encrypted (only
 * the secrets its address uses), and names the place the environment's names live (`cluster`):
 * two environments with one slug there would write the same namespace, Compose project or services.
 */
export function connectionOf(values: ConnectionValues): { visible: Record<string, string>; secret: Record<string, string>; cluster: string } {
  if (values.orchestrator === "kubernetes") {
    if (values.kubeMode === "in-cluster") return { visible: { mode: "in-cluster" }, secret: {}, cluster: "in-cluster" };
    const check = checkKubeconfig(values.kubeconfig);
    const summary = check.ok ? check.summary : { server: "", context: "", user: "" };
    const cluster = check.ok ? check.target.server.toLowerCase() : "";
    return { visible: { mode: "kubeconfig", server: summary.server, context: summary.context }, secret: { kubeconfig: values.kubeconfig }, cluster };
  }
  const secret = Object.fromEntries(secretFieldsOf(values).map((field) => [field, values[field]]));
  return { visible: { dockerHost: values.dockerHost }, secret, cluster: values.dockerHost.toLowerCase() };
}

/** The encrypted half of a connection, bound to its row: copied to another environment it does not decrypt. */
export function sealed(row: { id: string; teamId: string }, secret: Record<string, string>) {
  if (Object.keys(secret).length === 0) return { secretCiphertext: null, keyId: null };
  const keyring = credentialsKeyring();
  return { secretCiphertext: encryptSecret(JSON.stringify(secret), keyring, environmentAad(row)), keyId: keyring.currentId };
}

/** Where a saved environment connects, from what is kept in clear. */
export function savedAddress(row: Pick<Environment, "orchestrator" | "connection">): Pick<ConnectionValues, "orchestrator" | "kubeMode" | "dockerHost"> {
  return { orchestrator: row.orchestrator, kubeMode: row.connection.mode === "in-cluster" ? "in-cluster" : "kubeconfig", dockerHost: row.connection.dockerHost ?? "" };
}

/**
 * Decrypted connection secrets by environment, so that a fan-out over many environments (Apply
 * now, the refresh and watch jobs) decrypts each one once. An entry counts only for the exact
 * ciphertext it was decrypted from, which names its key (an edit or a re-encryption under a new
 * key writes another), and only while that key is still configured: it never reads what
 * decryption could not. It holds secrets: bounded in number and time, read by `openSecret` only.
 */
const openedSecrets = new BoundedCache<string, { ciphertext: string; keyId: string; key: Buffer; secret: Readonly<Record<string, string>> }>(1000, 10 * 60_000);

function openSecret(row: Pick<Environment, "id" | "teamId" | "secretCiphertext">): Readonly<Record<string, string>> {
  if (!row.secretCiphertext) return {};
  const keyring = credentialsKeyring();
  const aad = environmentAad(row);
  const opened = openedSecrets.get(aad);
  if (opened?.ciphertext === row.secretCiphertext && keyring.keys.get(opened.keyId) === opened.key) return opened.secret;
  const secret = Object.freeze(JSON.parse(decryptSecret(row.secretCiphertext, keyring, aad)) as Record<string, string>);
  // Decrypted, so the envelope names a key that is configured.
  const keyId = keyIdOf(row.secretCiphertext)!;
  openedSecrets.set(aad, { ciphertext: row.secretCiphertext, keyId, key: keyring.keys.get(keyId)!, secret });
  return secret;
}

/** Drops an environment's decrypted secrets from memory once its row is deleted or rewritten. */
export function forgetConnection(row: Pick<Environment, "id" | "teamId">): void {
  openedSecrets.delete(environmentAad(row));
}

/** A saved environment's connection as the form's values, its secrets decrypted. Server-only. */
export function storedConnection(row: Environment): ConnectionValues {
  const secret = openSecret(row);
  return {
    ...savedAddress(row),
    kubeconfig: secret.kubeconfig ?? "",
    sshPrivateKey: secret.sshPrivateKey ?? "",
    tlsCa: secret.tlsCa ?? "",
    tlsCert: secret.tlsCert ?? "",
    tlsKey: secret.tlsKey ?? "",
  };
}

/** What the server connects to for these values; `ssh` carries the host keys recorded for an ssh:// host. */
export function targetFrom(values: ConnectionValues, ssh: Pick<DockerHost, "sshKnownHosts" | "onSshHostKeys"> = {}): DeployTarget {
  if (values.orchestrator === "kubernetes") {
    return { orchestrator: "kubernetes", kube: values.kubeMode === "in-cluster" ? { inCluster: true } : { kubeconfig: values.kubeconfig } };
  }
  const secret = (field: SecretConnectionField) => values[field] || undefined;
  return {
    orchestrator: values.orchestrator,
    docker: { dockerHost: values.dockerHost, sshPrivateKey: secret("sshPrivateKey"), tlsCa: secret("tlsCa"), tlsCert: secret("tlsCert"), tlsKey: secret("tlsKey"), ...ssh },
  };
}

const LOCAL_REFUSED = "reaches the dashboard's own host, so any team owner would control it; an operator allows it with ALLOW_LOCAL_ORCHESTRATORS=true";

/** The in-cluster service account and unix:// sockets reach the dashboard's own host: only when an operator allows it. */
export function refuseLocal(values: ConnectionValues) {
  if (env().allowLocalOrchestrators) return;
  if (values.orchestrator === "kubernetes" && values.kubeMode === "in-cluster") throw fieldError("kubeMode", `The in-cluster service account ${LOCAL_REFUSED}`);
  if (values.orchestrator !== "kubernetes" && values.dockerHost.startsWith("unix://")) throw fieldError("dockerHost", `A unix:// socket ${LOCAL_REFUSED}`);
}

const DNS_AT_SAVE_MS = 3000;

/**
 * The API server or Docker host must be an address the egress policy lets the server reach:
 * refused on its field at save (Test and Deploy vet it again, as DNS may change).
 */
export async function vetConnection(values: ConnectionValues) {
  let field: "kubeconfig" | "dockerHost";
  let host: string;
  if (values.orchestrator === "kubernetes") {
    if (values.kubeMode === "in-cluster") return;
    const check = checkKubeconfig(values.kubeconfig);
    if (!check.ok) return;
    field = "kubeconfig";
    host = new URL(check.target.server).hostname;
  } else {
    if (values.dockerHost.startsWith("unix://")) return;
    field = "dockerHost";
    host = new URL(values.dockerHost).hostname;
  }
  const timeout = new Promise<void>((resolve) => setTimeout(resolve, DNS_AT_SAVE_MS).unref());
  try {
    await Promise.race([resolveVetted(host), timeout]);
  } catch (err) {
    if (isEgressRefused(err)) throw fieldError(field, err.message);
  }
}

const SECRET_LABELS: Record<SecretConnectionField, string> = {
  kubeconfig: "kubeconfig",
  sshPrivateKey: "SSH private key",
  tlsCa: "CA certificate",
  tlsCert: "client certificate",
  tlsKey: "client key",
};

/**
 * An edit merged onto the saved connection: an empty secret field keeps the saved value. A kept
 * secret is only ever sent where it was saved for, so an edit that moves the environment to
 * another host must type its secrets again (the registries' rule); the orchestrator stays.
 */
export function mergeConnection(row: Environment, edit: ConnectionValues): ConnectionValues {
  if (edit.orchestrator !== row.orchestrator) throw fieldError("orchestrator", "The orchestrator of a saved environment cannot change: add another environment");
  const stored = storedConnection(row);
  const merged = Object.fromEntries(CONNECTION_FIELDS.map((f) => [f, edit[f]])) as ConnectionValues;
  const kept: SecretConnectionField[] = [];
  for (const field of secretFieldsOf(edit)) {
    if (edit[field] !== "" || stored[field] === "") continue;
    merged[field] = stored[field];
    kept.push(field);
  }
  const parsed = testConnectionSchema.safeParse(merged);
  if (!parsed.success) throw new SafeError("invalid", "Some fields need attention", fieldErrorsOf(parsed.error));
  if (kept.length > 0 && connectionOf(parsed.data).cluster !== connectionOf(stored).cluster) {
    throw new SafeError(
      "invalid",
      "The environment's host changed: enter its secrets again",
      Object.fromEntries(kept.map((f) => [f, [`Enter the ${SECRET_LABELS[f]} again: a saved secret is only sent to the host it was saved for`]])),
    );
  }
  return parsed.data;
}
