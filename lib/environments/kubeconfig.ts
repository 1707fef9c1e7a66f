import { parse } from "yaml";

/**
 * A pasted kubeconfig, checked before it is saved or used. Only token, client-certificate and
 * basic auth are allowed: `exec` and `auth-provider` would run commands on the dashboard's server.
 */

export type KubeconfigSummary = { server: string; context: string; user: string };
/**
 * Exactly what a client needs from the checked document. The server builds its client from this,
 * never from the text again, so no second YAML parser can read the document differently.
 */
export type KubeconfigTarget = {
  server: string;
  caData?: string;
  skipTLSVerify: boolean;
  tlsServerName?: string;
  namespace?: string;
  token?: string;
  certData?: string;
  keyData?: string;
  username?: string;
  password?: string;
};
export type KubeconfigCheck = { ok: true; summary: KubeconfigSummary; target: KubeconfigTarget } | { ok: false; message: string };

type Named<T> = { name?: unknown; [key: string]: unknown } & T;

const MAX_BYTES = 256 * 1024;

/** Entries by name; undefined when a name repeats (clients disagree on which one wins). */
function named(list: unknown, key: string): Map<string, Record<string, unknown>> | undefined {
  const out = new Map<string, Record<string, unknown>>();
  if (!Array.isArray(list)) return out;
  for (const item of list as Named<Record<string, unknown>>[]) {
    if (!item || typeof item.name !== "string" || !item[key] || typeof item[key] !== "object") continue;
    if (out.has(item.name)) return undefined;
    out.set(item.name, item[key] as Record<string, unknown>);
  }
  return out;
}

/** A `<<` merge key anywhere: YAML parsers disagree on merging, so it is refused outright. */
function hasMergeKey(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(hasMergeKey);
  if (value && typeof value === "object") return Object.entries(value).some(([k, v]) => k === "<<" || hasMergeKey(v));
  return false;
}

const str = (v: unknown) => (typeof v === "string" && v !== "" ? v : undefined);

export function checkKubeconfig(text: string): KubeconfigCheck {
  if (text.trim() === "") return { ok: false, message: "Paste a kubeconfig" };
  if (Buffer.byteLength(text, "utf8") > MAX_BYTES) return { ok: false, message: "A kubeconfig is at most 256 KiB" };
  let doc: unknown;
  try {
    doc = parse(text, { maxAliasCount: 10, merge: false, uniqueKeys: true });
  } catch (err) {
    return { ok: false, message: `Not valid YAML: ${(err as Error).message.split("\n")[0]}` };
  }
  if (!doc || typeof doc !== "object" || Array.isArray(doc)) return { ok: false, message: "A kubeconfig is a YAML mapping with clusters, users and contexts" };
  const config = doc as Record<string, unknown>;
  if (hasMergeKey(config)) return { ok: false, message: "YAML merge keys (<<) are not accepted in a kubeconfig: write the entries out" };
  const users = named(config.users, "user");
  const contexts = named(config.contexts, "context");
  const clusters = named(config.clusters, "cluster");
  if (!users || !contexts || !clusters) return { ok: false, message: "A user, context or cluster name appears twice: give each entry its own name" };
  for (const [name, user] of users) {
    if ("exec" in user) {
      return { ok: false, message: `User "${name}" authenticates with exec, which would run a command on this server. Paste a kubeconfig that uses a token, a client certificate or basic auth (e.g. a service-account token).` };
    }
    if ("auth-provider" in user) {
      return { ok: false, message: `User "${name}" uses an auth-provider plugin, which this server will not run. Paste a kubeconfig that uses a token, a client certificate or basic auth.` };
    }
    if ("tokenFile" in user || "token-file" in user || "client-certificate" in user || "client-key" in user) {
      return { ok: false, message: `User "${name}" points at files on disk; inline them (token, client-certificate-data, client-key-data).` };
    }
  }
  const contextName = config["current-context"];
  if (typeof contextName !== "string" || contextName === "") return { ok: false, message: "The kubeconfig has no current-context" };
  const context = contexts.get(contextName);
  if (!context) return { ok: false, message: `The current-context "${contextName}" is not among the contexts` };
  // Names only as strings: a YAML mapping here (with a `toString` key, say) must not reach String().
  const cluster = clusters.get(typeof context.cluster === "string" ? context.cluster : "");
  if (!cluster || typeof cluster.server !== "string") return { ok: false, message: `Context "${contextName}" names no cluster with a server URL` };
  if ("certificate-authority" in cluster) return { ok: false, message: "The cluster's certificate-authority points at a file on disk; inline it as certificate-authority-data" };
  let server: URL;
  try {
    server = new URL(cluster.server);
  } catch {
    return { ok: false, message: `The cluster server "${cluster.server}" is not a URL` };
  }
  if (server.protocol !== "https:" && server.protocol !== "http:") return { ok: false, message: "The cluster server must be an https:// URL" };
  const userName = typeof context.user === "string" ? context.user : "";
  const user = users.get(userName);
  if (!user) return { ok: false, message: `Context "${contextName}" names user "${userName}", which is not among the users` };
  return {
    ok: true,
    summary: { server: server.origin, context: contextName, user: userName },
    target: {
      server: String(cluster.server).replace(/\/+$/, ""),
      caData: str(cluster["certificate-authority-data"]),
      skipTLSVerify: cluster["insecure-skip-tls-verify"] === true,
      tlsServerName: str(cluster["tls-server-name"]),
      namespace: str(context.namespace),
      token: str(user.token),
      certData: str(user["client-certificate-data"]),
      keyData: str(user["client-key-data"]),
      username: str(user.username),
      password: str(user.password),
    },
  };
}
