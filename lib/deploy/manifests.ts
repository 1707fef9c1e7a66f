import { createHash } from "node:crypto";
import type { V1Deployment, V1Namespace, V1Secret } from "@kubernetes/client-node";

/** The Kubernetes objects the platform writes, built without talking to a cluster. */

export const MANAGED_BY = { "app.kubernetes.io/managed-by": "dockyard" } as const;
export const LABEL = {
  registryId: "dockyard.dev/registry-id",
  registryType: "dockyard.dev/registry-type",
  containerId: "dockyard.dev/container-id",
  environmentId: "dockyard.dev/environment-id",
} as const;
export const ANNOTATION = {
  credentialVersion: "dockyard.dev/credential-version",
  /** sha256 of the `.dockerconfigjson` the platform wrote: an edit outside the dashboard changes the data, not this. */
  contentHash: "dockyard.dev/content-hash",
  expiresAt: "dockyard.dev/credentials-expire-at",
  restartedAt: "dockyard.dev/restarted-at",
} as const;

/** `env-<slug>`; the environment slug is capped so this stays a DNS-1123 label (≤ 63). */
export const namespaceOf = (environmentSlug: string) => `env-${environmentSlug}`;

/** Unique per registry and stable across renames: built from the type and the id only. */
export const pullSecretName = (registry: { id: string; type: string }) => `${registry.type.toLowerCase()}-${registry.id}-creds`;

export function namespaceManifest(name: string, environmentId: string): V1Namespace {
  return { apiVersion: "v1", kind: "Namespace", metadata: { name, labels: { ...MANAGED_BY, [LABEL.environmentId]: environmentId } } };
}

export const contentHash = (dockerConfigJson: string) => `sha256:${createHash("sha256").update(dockerConfigJson, "utf8").digest("hex")}`;

/** A `.dockerconfigjson` as a Secret holds it: encoded, with the hash it is annotated with. */
export type PullSecretData = { base64: string; contentHash: string };

export const pullSecretData = (dockerConfigJson: string): PullSecretData => ({ base64: Buffer.from(dockerConfigJson, "utf8").toString("base64"), contentHash: contentHash(dockerConfigJson) });

export type PullSecretSpec = {
  namespace: string;
  registry: { id: string; type: string; credentialVersion: number };
  data: PullSecretData;
  expiresAt?: Date;
};

export function pullSecretManifest(spec: PullSecretSpec): V1Secret {
  return {
    apiVersion: "v1",
    kind: "Secret",
    type: "kubernetes.io/dockerconfigjson",
    metadata: {
      name: pullSecretName(spec.registry),
      namespace: spec.namespace,
      labels: { ...MANAGED_BY, [LABEL.registryId]: spec.registry.id, [LABEL.registryType]: spec.registry.type },
      annotations: {
        [ANNOTATION.credentialVersion]: String(spec.registry.credentialVersion),
        [ANNOTATION.contentHash]: spec.data.contentHash,
        ...(spec.expiresAt ? { [ANNOTATION.expiresAt]: spec.expiresAt.toISOString() } : {}),
      },
    },
    data: { ".dockerconfigjson": spec.data.base64 },
  };
}

export type WorkloadSpec = {
  namespace: string;
  container: { id: string; name: string; replicas: number; port: number | null; restartedAt: Date | null };
  image: string;
  /** The pull secret to reference; none for public images. */
  pullSecret?: string;
};

export function deploymentManifest(spec: WorkloadSpec): V1Deployment {
  const { container } = spec;
  const selector = { [LABEL.containerId]: container.id };
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: container.name, namespace: spec.namespace, labels: { ...MANAGED_BY, ...selector } },
    spec: {
      replicas: container.replicas,
      selector: { matchLabels: selector },
      template: {
        metadata: {
          labels: { ...MANAGED_BY, ...selector },
          annotations: container.restartedAt ? { [ANNOTATION.restartedAt]: container.restartedAt.toISOString() } : undefined,
        },
        spec: {
          containers: [
            {
              name: container.name,
              image: spec.image,
              ports: container.port ? [{ containerPort: container.port }] : undefined,
            },
          ],
          imagePullSecrets: spec.pullSecret ? [{ name: spec.pullSecret }] : undefined,
        },
      },
    },
  };
}
