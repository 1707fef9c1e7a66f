import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { Deployment } from "kubernetes-models/apps/v1/Deployment";
import { Ingress } from "kubernetes-models/networking.k8s.io/v1/Ingress";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1/PodDisruptionBudget";
import { ClusterRole } from "kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole";
import { ClusterRoleBinding } from "kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding";
import { Secret } from "kubernetes-models/v1/Secret";
import { Service } from "kubernetes-models/v1/Service";
import { ServiceAccount } from "kubernetes-models/v1/ServiceAccount";
import { parseEnv } from "@/lib/env";

/**
 * The kustomize base and its components, rendered for real by `kubectl kustomize` (kustomize
 * 5.5 inside kubectl 1.32, part of this machine image; .ci/run checks for it) and every rendered
 * object validated against the official OpenAPI schemas (kubernetes-models).
 */

const root = path.resolve(import.meta.dirname, "..");
const kustomizeDir = path.join(root, "kustomize");
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- rendered YAML, read deep; each object is schema-validated first
type Obj = any;

function render(dir: string): Obj[] {
  let out: string;
  try {
    out = execFileSync("kubectl", ["kustomize", dir], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") {
      throw new Error("kubectl is not installed: it renders kustomize/ (kubectl 1.27 or newer, for kustomize 5). It is part of the CI machine image; .ci/run checks for it.");
    }
    throw new Error(`kubectl kustomize ${path.relative(root, dir)} failed: ${(err as { stderr?: string }).stderr ?? String(err)}`);
  }
  const objects = parseAllDocuments(out).map((d) => d.toJS() as Obj);
  // kustomize folds long base64 values onto several lines; the API server's decoder skips the
  // line breaks, the schema's "byte" format does not.
  for (const o of objects) if (o.kind === "Secret") for (const k of Object.keys(o.data ?? {})) o.data[k] = o.data[k].replace(/\s+/g, "");
  return objects;
}

const MODELS: Record<string, (o: Obj) => { validate(): void }> = {
  "apps/v1/Deployment": (o) => new Deployment(o),
  "v1/Service": (o) => new Service(o),
  "v1/ServiceAccount": (o) => new ServiceAccount(o),
  "v1/Secret": (o) => new Secret(o),
  "policy/v1/PodDisruptionBudget": (o) => new PodDisruptionBudget(o),
  "networking.k8s.io/v1/Ingress": (o) => new Ingress(o),
  "rbac.authorization.k8s.io/v1/ClusterRole": (o) => new ClusterRole(o),
  "rbac.authorization.k8s.io/v1/ClusterRoleBinding": (o) => new ClusterRoleBinding(o),
};

/** Every object passes its kind's schema; a kind without one fails (nothing goes unchecked). */
function validateAll(objects: Obj[]) {
  for (const o of objects) {
    const model = MODELS[`${o.apiVersion}/${o.kind}`];
    if (!model) throw new Error(`no schema for ${o.apiVersion} ${o.kind}`);
    expect(() => model(o).validate(), `${o.kind} ${o.metadata?.name}`).not.toThrow();
  }
}

const one = (objects: Obj[], kind: string) => {
  const found = objects.filter((o) => o.kind === kind);
  expect(found, kind).toHaveLength(1);
  return found[0];
};
const matches = (selector: Record<string, string>, labels: Record<string, string>) => Object.entries(selector).every(([k, v]) => labels[k] === v);

/** An overlay as an operator writes one, in a temporary directory beside the base. */
const overlays: string[] = [];
function overlay(body: string): string {
  const dir = mkdtempSync(path.join(kustomizeDir, ".test-overlay-"));
  overlays.push(dir);
  writeFileSync(path.join(dir, "kustomization.yaml"), body);
  return dir;
}
afterAll(() => overlays.forEach((d) => rmSync(d, { recursive: true, force: true })));

/**
 * The Kubernetes API calls the code makes (`k.core.readNamespacedSecret(…)`, `k.apps.listNamespacedReplicaSet(…)`)
 * as RBAC permissions: `apps/replicasets:list`.
 */
function permissionsUsedByCode(): Set<string> {
  const verbs: Record<string, string> = { read: "get", list: "list", create: "create", replace: "update", patch: "patch", delete: "delete" };
  const used = new Set<string>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts")) {
        for (const [, api, method] of readFileSync(file, "utf8").matchAll(/\bk\.(core|apps)\.(\w+)\(/g)) {
          const m = /^(read|list|create|replace|patch|delete)(?:Namespaced)?([A-Z]\w*)$/.exec(method!);
          if (!m) throw new Error(`${path.relative(root, file)}: cannot map ${api}.${method} to an RBAC verb`);
          used.add(`${api === "core" ? "" : api}/${m[2]!.toLowerCase()}s:${verbs[m[1]!]}`);
        }
      }
    }
  };
  walk(path.join(root, "lib"));
  return used;
}

describe("kustomize/base", () => {
  const objects = render(path.join(kustomizeDir, "base"));

  it("renders objects that pass the Kubernetes OpenAPI schemas", () => {
    expect(objects.map((o) => o.kind).sort()).toEqual(["Deployment", "PodDisruptionBudget", "Secret", "Service", "ServiceAccount"]);
    validateAll(objects);
  });

  it("runs two or more replicas that the Service and the disruption budget select, with probes and resources", () => {
    const deployment = one(objects, "Deployment");
    expect(deployment.spec.replicas).toBeGreaterThanOrEqual(2);
    const podLabels = deployment.spec.template.metadata.labels;
    expect(matches(deployment.spec.selector.matchLabels, podLabels)).toBe(true);
    expect(matches(one(objects, "Service").spec.selector, podLabels)).toBe(true);
    const pdb = one(objects, "PodDisruptionBudget");
    expect(matches(pdb.spec.selector.matchLabels, podLabels)).toBe(true);
    expect(pdb.spec.minAvailable).toBe(1);
    const [container] = deployment.spec.template.spec.containers;
    expect(container.image).toBe("registry.example.com/dockyard:0.1.0");
    expect(container.livenessProbe.httpGet.path).toBe("/api/health");
    expect(container.readinessProbe.httpGet.path).toBe("/api/ready");
    expect(container.startupProbe.httpGet.path).toBe("/api/health");
    expect(container.resources.requests).toMatchObject({ cpu: expect.any(String), memory: expect.any(String) });
    expect(container.resources.limits).toMatchObject({ memory: expect.any(String) });
    // The grace period covers the preStop pause and the server's own drain deadline.
    const drain = Number(container.env.find((e: Obj) => e.name === "SHUTDOWN_TIMEOUT_SECONDS").value);
    expect(deployment.spec.template.spec.terminationGracePeriodSeconds).toBeGreaterThan(drain + Number(container.lifecycle.preStop.exec.command[1]));
  });

  it("runs as non-root on a read-only root filesystem, with no privilege escalation, no capabilities and the runtime's seccomp profile", () => {
    const pod = one(objects, "Deployment").spec.template.spec;
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: "RuntimeDefault" } });
    const [container] = pod.containers;
    expect(container.securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ["ALL"] } });
    const tmp = container.volumeMounts.find((m: Obj) => m.mountPath === "/tmp");
    expect(pod.volumes.find((v: Obj) => v.name === tmp.name).emptyDir).toBeDefined();
    // No Kubernetes credentials unless the in-cluster component asks for them.
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(one(objects, "ServiceAccount").automountServiceAccountToken).toBe(false);
  });

  it("reads DATABASE_URL, AUTH_SECRET and CREDENTIALS_KEY from its Secret, whose placeholders refuse to start", () => {
    const secret = one(objects, "Secret");
    expect(Object.keys(secret.data).sort()).toEqual(["AUTH_SECRET", "CREDENTIALS_KEY", "DATABASE_URL", "METRICS_TOKEN"]);
    const [container] = one(objects, "Deployment").spec.template.spec.containers;
    expect(container.envFrom).toEqual([{ secretRef: { name: secret.metadata.name } }]);
    const values = Object.fromEntries(Object.entries(secret.data as Record<string, string>).map(([k, v]) => [k, Buffer.from(v, "base64").toString("utf8")]));
    expect(() => parseEnv(values)).toThrow(/AUTH_SECRET: must be at least 32 characters[\s\S]*CREDENTIALS_KEY: must be 32 random bytes/);
  });
});

describe("an overlay with the ingress and in-cluster components", () => {
  const objects = render(
    overlay(`apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: dockyard
resources:
  - ../base
components:
  - ../components/ingress
  - ../components/in-cluster
`),
  );

  it("renders objects that pass the schemas", () => {
    expect(objects.map((o) => o.kind).sort()).toEqual(["ClusterRole", "ClusterRoleBinding", "Deployment", "Ingress", "PodDisruptionBudget", "Secret", "Service", "ServiceAccount"]);
    validateAll(objects);
  });

  it("routes the Ingress to the Service and counts the ingress controller as one proxy", () => {
    const service = one(objects, "Service");
    const backend = one(objects, "Ingress").spec.rules[0].http.paths[0].backend.service;
    expect(backend).toEqual({ name: service.metadata.name, port: { name: service.spec.ports[0].name } });
    const env = one(objects, "Deployment").spec.template.spec.containers[0].env;
    expect(env).toContainEqual({ name: "TRUST_PROXY_HOPS", value: "1" });
  });

  it("grants the service account exactly the Kubernetes calls of lib/deploy and the watcher, and allows the in-cluster mode", () => {
    const granted = new Set<string>();
    for (const rule of one(objects, "ClusterRole").rules) {
      for (const group of rule.apiGroups) for (const resource of rule.resources) for (const verb of rule.verbs) granted.add(`${group}/${resource}:${verb}`);
    }
    const used = permissionsUsedByCode();
    expect(used.size).toBeGreaterThan(10);
    expect([...granted].sort()).toEqual([...used].sort());
    const binding = one(objects, "ClusterRoleBinding");
    const account = one(objects, "ServiceAccount");
    expect(binding.roleRef.name).toBe(one(objects, "ClusterRole").metadata.name);
    expect(binding.subjects).toEqual([{ kind: "ServiceAccount", name: account.metadata.name, namespace: account.metadata.namespace }]);
    const pod = one(objects, "Deployment").spec.template.spec;
    expect(pod.serviceAccountName).toBe(account.metadata.name);
    expect(pod.automountServiceAccountToken).toBe(true);
    expect(pod.containers[0].env).toContainEqual({ name: "ALLOW_LOCAL_ORCHESTRATORS", value: "true" });
  });
});
