import { stringify } from "yaml";

/** A kubeconfig as users paste them: one cluster, one user and a current context joining them. */
export function kubeconfigYaml(cluster: Record<string, unknown>, user: Record<string, unknown>): string {
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: "c", cluster }],
    users: [{ name: "u", user }],
    contexts: [{ name: "ctx", context: { cluster: "c", user: "u" } }],
    "current-context": "ctx",
  });
}

/** What an API server answers to a namespace list, as JSON text. */
export const namespaceListJson = (...names: string[]) => JSON.stringify({ kind: "NamespaceList", apiVersion: "v1", items: names.map((name) => ({ metadata: { name } })) });
