import "server-only";
import type { V1Deployment, V1Secret } from "@kubernetes/client-node";
import { call, statusOf, step, type KubeClients } from "./kubernetes";
import { ANNOTATION, contentHash } from "./manifests";

/**
 * Drift: what someone changed by hand in a namespace the platform manages. A pull secret is
 * compared with what the platform wrote (its content-hash and credential-version annotations);
 * a workload with the pull-secret reference it was given. No database here: the caller knows
 * what should be there and records what was restored.
 */

export type SecretDrift = "ok" | "missing" | "edited" | "older_version";

/** How a managed pull secret differs from what the platform wrote at `credentialVersion`. */
export function secretDrift(actual: V1Secret | undefined, credentialVersion: number): SecretDrift {
  if (!actual) return "missing";
  const annotations = actual.metadata?.annotations ?? {};
  const data = actual.data?.[".dockerconfigjson"];
  const decoded = data ? Buffer.from(data, "base64").toString("utf8") : "";
  if (actual.type !== "kubernetes.io/dockerconfigjson" || !annotations[ANNOTATION.contentHash] || annotations[ANNOTATION.contentHash] !== contentHash(decoded)) return "edited";
  if (Number(annotations[ANNOTATION.credentialVersion]) < credentialVersion) return "older_version";
  return "ok";
}

export async function readPullSecret(k: KubeClients, namespace: string, name: string): Promise<V1Secret | undefined> {
  return step(`read pull secret ${namespace}/${name}`, async () => {
    try {
      return await k.core.readNamespacedSecret({ name, namespace }, call(k, ["Secret"]));
    } catch (err) {
      if (statusOf(err) === 404) return undefined;
      throw err;
    }
  });
}

export async function readDeployment(k: KubeClients, namespace: string, name: string): Promise<V1Deployment | undefined> {
  return step(`read deployment ${namespace}/${name}`, async () => {
    try {
      return await k.apps.readNamespacedDeployment({ name, namespace }, call(k, ["Deployment"]));
    } catch (err) {
      if (statusOf(err) === 404) return undefined;
      throw err;
    }
  });
}

export const referencesPullSecret = (deployment: V1Deployment, secretName: string) =>
  (deployment.spec?.template?.spec?.imagePullSecrets ?? []).some((ref) => ref.name === secretName);

/**
 * Puts the reference back with one JSON patch, guarded by a `test` on the resource version so a
 * concurrent write is not overwritten (the next tick looks again). Changing the pod template
 * rolls new pods, which is what a removed reference needs anyway: they could not pull.
 */
export async function restorePullSecretReference(k: KubeClients, deployment: V1Deployment, secretName: string): Promise<void> {
  const namespace = deployment.metadata!.namespace!;
  const name = deployment.metadata!.name!;
  const refs = deployment.spec?.template?.spec?.imagePullSecrets;
  const patch = [
    { op: "test", path: "/metadata/resourceVersion", value: deployment.metadata?.resourceVersion },
    refs ? { op: "add", path: "/spec/template/spec/imagePullSecrets/-", value: { name: secretName } } : { op: "add", path: "/spec/template/spec/imagePullSecrets", value: [{ name: secretName }] },
  ];
  await step(`restore imagePullSecrets of ${namespace}/${name}`, () => k.apps.patchNamespacedDeployment({ name, namespace, body: patch }, call(k, ["Deployment"])));
}
