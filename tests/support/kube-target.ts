import { readFileSync } from "node:fs";
import { AppsV1Api, CoreV1Api, KubeConfig, ApiException } from "@kubernetes/client-node";
import { startKubeServer, type KubeKind, type KubeServer } from "./kube-server";
import { startKubelet, type KubeletSimulator } from "./kubelet";

/**
 * Where the Kubernetes suite runs: the test server with the kubelet simulator by default, or a
 * real cluster when TEST_KUBECONFIG names a kubeconfig file (token or client-certificate auth:
 * the platform refuses exec plugins). Reads go through the real API either way.
 */
export interface KubeTarget {
  kubeconfigYaml(): string;
  /* eslint-disable @typescript-eslint/no-explicit-any -- tests reach deep into stored objects */
  get(kind: KubeKind, namespace: string | undefined, name: string): Promise<any>;
  list(kind: KubeKind, namespace?: string): Promise<any[]>;
  /* eslint-enable @typescript-eslint/no-explicit-any */
  /** The test server, for request counts, latency and injected faults; absent on a real cluster. */
  server?: KubeServer;
  /** The simulated kubelet's pulls; absent on a real cluster. */
  kubelet?: KubeletSimulator;
  /** Deletes the namespaces the suite created (real cluster) or stops the server. */
  close(createdNamespaces: string[]): Promise<void>;
}

export const realCluster = !!process.env.TEST_KUBECONFIG;

/** `images`: what the simulated node holds already (a real cluster's nodes pull what they need). */
export async function startKubeTarget(opts: { images?: string[] } = {}): Promise<KubeTarget> {
  if (!process.env.TEST_KUBECONFIG) {
    const server = await startKubeServer();
    const kubelet = startKubelet(server, { images: opts.images });
    return {
      kubeconfigYaml: () => server.kubeconfigYaml(),
      get: async (kind, namespace, name) => server.get(kind, namespace, name),
      list: async (kind, namespace) => server.list(kind, namespace),
      server,
      kubelet,
      close: async () => {
        await kubelet.stop();
        await server.close();
      },
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
        const ns = namespace!;
        switch (kind) {
          case "namespaces":
            return plain(await core.readNamespace({ name }));
          case "secrets":
            return plain(await core.readNamespacedSecret({ name, namespace: ns }));
          case "deployments":
            return plain(await apps.readNamespacedDeployment({ name, namespace: ns }));
          case "replicasets":
            return plain(await apps.readNamespacedReplicaSet({ name, namespace: ns }));
          case "pods":
            return plain(await core.readNamespacedPod({ name, namespace: ns }));
          case "events":
            return plain(await core.readNamespacedEvent({ name, namespace: ns }));
        }
      } catch (err) {
        if (missing(err)) return undefined;
        throw err;
      }
    },
    async list(kind, namespace) {
      // Only what the platform manages: a real namespace holds service-account tokens and more.
      // Pods and ReplicaSets carry the template's labels; events carry none, so all are listed.
      const labelSelector = "app.kubernetes.io/managed-by=dockyard";
      const ns = namespace!;
      switch (kind) {
        case "namespaces":
          return plain((await core.listNamespace({ labelSelector })).items);
        case "secrets":
          return plain((await core.listNamespacedSecret({ namespace: ns, labelSelector })).items);
        case "deployments":
          return plain((await apps.listNamespacedDeployment({ namespace: ns, labelSelector })).items);
        case "replicasets":
          return plain((await apps.listNamespacedReplicaSet({ namespace: ns, labelSelector })).items);
        case "pods":
          return plain((await core.listNamespacedPod({ namespace: ns, labelSelector })).items);
        case "events":
          return plain((await core.listNamespacedEvent({ namespace: ns })).items);
      }
    },
    async close(createdNamespaces) {
      for (const name of createdNamespaces) await core.deleteNamespace({ name }).catch(() => {});
    },
  };
}
