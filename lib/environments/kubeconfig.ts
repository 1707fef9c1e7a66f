import { parse } from "yaml";

/**
 * A pasted kubeconfig, checked before it is saved or used. Only token, client-certificate and
 * basic auth are allowed: `exec` and `auth-provider` would run commands on the dashboard's server.
 */

export type KubeconfigSummary = { server: string; context: string; user: string };
export type KubeconfigCheck = { ok: true; summary: KubeconfigSummary } | { ok: false; message: string };

type Named<T> = { name?: unknown; [key: string]: unknown } & T;

const MAX_BYTES = 256 * 1024;

function named(list: unknown, key: string): Map<string, Record<string, unknown>> {
  const out = new Map<string, Record<string, unknown>>();
  if (!Array.isArray(list)) return out;
  for (const item of list as Named<Record<string, unknown>>[]) {
    if (item && typeof item.name === "string" && item[key] && typeof item[key] === "object") out.set(item.name, item[key] as Record<string, unknown>);
  }
  return out;
}

export function checkKubeconfig(text: string): KubeconfigCheck {
  if (text.trim() === "") return { ok: false, message: "Paste a kubeconfig" };
  if (Buffer.byteLength(text, "utf8") > MAX_BYTES) return { ok: false, message: "A kubeconfig is at most 256 KiB" };
  let doc: unknown;
  try {
    doc = parse(text, { maxAliasCount: 10 });
  } catch (err) {
    return { ok: false, message: `Not valid YAML: ${(err as Error).message.split("\n")[0]}` };
  }
  if (!doc || typeof doc !== "object" || Array.isArray(doc)) return { ok: false, message: "A kubeconfig is a YAML mapping with clusters, users and contexts" };
  const config = doc as Record<string, unknown>;
  const users = named(config.users, "user");
  for (const [name, user] of users) {
    if ("exec" in user) {
      return { ok: false, message: `User "${name}" authenticates with exec, which would run a command on this server. Paste a kubeconfig that uses a token, a client certificate or basic auth (e.g. a service-account token).` };
    }
    if ("auth-provider" in user) {
      return { ok: false, message: `User "${name}" uses an auth-provider plugin, which this server will not run. Paste a kubeconfig that uses a token, a client certificate or basic auth.` };
    }
    if ("tokenFile" in user || "client-certificate" in user || "client-key" in user) {
      return { ok: false, message: `User "${name}" points at files on disk; inline them (token, client-certificate-data, client-key-data).` };
    }
  }
  const contextName = config["current-context"];
  if (typeof contextName !== "string" || contextName === "") return { ok: false, message: "The kubeconfig has no current-context" };
  const context = named(config.contexts, "context").get(contextName);
  if (!context) return { ok: false, message: `The current-context "${contextName}" is not among the contexts` };
  const cluster = named(config.clusters, "cluster").get(String(context.cluster ?? ""));
  if (!cluster || typeof cluster.server !== "string") return { ok: false, message: `Context "${contextName}" names no cluster with a server URL` };
  if ("certificate-authority" in cluster) return { ok: false, message: "The cluster's certificate-authority points at a file on disk; inline it as certificate-authority-data" };
  let server: URL;
  try {
    server = new URL(cluster.server);
  } catch {
    return { ok: false, message: `The cluster server "${cluster.server}" is not a URL` };
  }
  if (server.protocol !== "https:" && server.protocol !== "http:") return { ok: false, message: "The cluster server must be an https:// URL" };
  const user = String(context.user ?? "");
  if (!users.has(user)) return { ok: false, message: `Context "${contextName}" names user "${user}", which is not among the users` };
  return { ok: true, summary: { server: server.origin, context: contextName, user } };
}
