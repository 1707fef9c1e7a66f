import { readFileSync } from "node:fs";
import { AppsV1Api, CoreV1Api, KubeConfig, ApiException } from "@kubernetes/client-node";
import { startKubeServer, type KubeKind, type KubeServer } from "./kube-server";

/**
 * Where the Kubernetes suite runs: the test server by default, or a real cluster when
 * TEST_KUBECONFIG names a kubeconfig file (token or client-certificate auth: the platform
 * refuses exec plugins). Reads go through the real API either way.
 */
export interface KubeTarget {
  kubeconfigYaml(): string;
  /* eslint-disable @typescript-eslint/no-explicit-any -- tests reach deep into stored objects */
  get(kind: KubeKind, namespace: string | undefined, name: string): Promise<any>;
  list(kind: KubeKind, namespace?: string): Promise<any[]>;
  /* eslint-enable @typescript-eslint/no-explicit-any */
  /** The test server, for request counts, latency and injected faults; absent on a real cluster. */
  server?: KubeServer;
  /** Deletes the namespaces the suite created (real cluster) or stops the server. */
  close(createdNamespaces: string[]): Promise<void>;
}

export const realCluster = !!process.env.TEST_KUBECONFIG;

export async function startKubeTarget(): Promise<KubeTarget> {
  if (!process.env.TEST_KUBECONFIG) {
    const server = await startKubeServer();
    return {
      kubeconfigYaml: () => server.kubeconfigYaml(),
      get: async (kind, namespace, name) => server.get(kind, namespace, name),
      list: async (kind, namespace) => server.list(kind, namespace),
      server,
      close: () => server.close(),
    };
  }
  const yaml = readFileSync(process.env.TEST_KUBECONFIG, "utf8");
  const kc = new KubeConfig();
  kc.loadFromString(yaml);
  const core = kc.makeApiClient(CoreV1Api);
  const apps = kc.makeApiClient(AppsV1Api);
  // Plain JSON, like the test server's copies (the client turns timestamps into Dates).
  const plain = (o: unknown) => JSON.parse(JSON.stringify(o));
  const missing = (err: unknown) => err instanceof ApiException && err.code === 404;
  return {
    kubeconfigYaml: () => yaml,
    async get(kind, namespace, name) {
      try {
        if (kind === "namespaces") return plain(await core.readNamespace({ name }));
        if (kind === "secrets") return plain(await core.readNamespacedSecret({ name, namespace: namespace! }));
        return plain(await apps.readNamespacedDeployment({ name, namespace: namespace! }));
      } catch (err) {
        if (missing(err)) return undefined;
        throw err;
      }
    },
    async list(kind, namespace) {
      // Only what the platform manages: a real namespace holds service-account tokens and more.
      const labelSelector = "app.kubernetes.io/managed-by=dockyard";
      if (kind === "namespaces") return plain((await core.listNamespace({ labelSelector })).items);
      if (kind === "secrets") return plain((await core.listNamespacedSecret({ namespace: namespace!, labelSelector })).items);
      return plain((await apps.listNamespacedDeployment({ namespace: namespace!, labelSelector })).items);
    },
    async close(createdNamespaces) {
      for (const name of createdNamespaces) await core.deleteNamespace({ name }).catch(() => {});
    },
  };
}
