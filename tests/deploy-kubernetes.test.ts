import "./support/allow-loopback";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { and, eq } from "drizzle-orm";
import { db } from "@/db";
import { deployments, pullSecrets, registries } from "@/db/schema";
import { environmentActions } from "@/lib/environments/actions";
import { containerActions } from "@/lib/containers/actions";
import { getContainer } from "@/lib/containers/service";
import { deploymentProgress, runDeployment, startDeployment, waitForDeployment } from "@/lib/containers/deployments";
import { registryActions } from "@/lib/registries/actions";
import { deleteRegistry, loadRowWithCreator } from "@/lib/registries/service";
import { refreshPullSecrets } from "@/lib/containers/refresh";
import { kubeClients } from "@/lib/deploy/kubernetes";
import { readEnvironmentWorkloads, type KubeSource } from "@/lib/deploy";
import { readWorkloadState, type WorkloadState } from "@/lib/deploy/rollout";
import { redactor } from "@/lib/deploy/redact";
import { SafeError } from "@/lib/errors";
import { newUser } from "./fixtures";
import { realCluster, startKubeTarget, type KubeTarget } from "./support/kube-target";
import type { KubeServer } from "./support/kube-server";
import { startTestRegistry, type TestRegistry } from "./support/test-registry";
import { startKubeServer } from "./support/kube-server";
import { startRateLimitedRegistry } from "./support/rate-limited-registry";

/**
 * The deploy module against the Kubernetes test server (or a real cluster with TEST_KUBECONFIG),
 * with the pull proof: the `.dockerconfigjson` it wrote must let skopeo read the image from the
 * real test registry, and stop working when the credentials are revoked.
 */

let kube: KubeTarget;
const created: string[] = [];
/** Request counts, latency and faults need the test server; a real cluster runs the rest. */
const server = (): KubeServer => kube.server!;
const serverOnly = realCluster ? it.skip : it;
let registry: TestRegistry;
let owner: Awaited<ReturnType<typeof newUser>>;
let teamSlug: string;
let authDir: string;
const USER = "deployer";
const PASSWORD_1 = "first-password-0123456789";
const PASSWORD_2 = "second-password-9876543210";
const fastKube = { kube: (src: KubeSource) => kubeClients(src, { timeoutMs: realCluster ? 10_000 : 1000 }), rolloutPollMs: 100 };
/**
 * A deploy that wrote everything. On the test server its pods also pull from the test registry;
 * a real cluster's nodes cannot reach that loopback registry, so there only the writes count.
 */
const applied = realCluster ? { outcome: expect.stringMatching(/^(rolled_out|pull_failed|rollout_timeout)$/) } : { status: "succeeded", outcome: "rolled_out" };

const rand = () => Math.random().toString(36).slice(2, 8);

beforeAll(async () => {
  [kube, registry] = await Promise.all([startKubeTarget({ images: ["docker.io/library/nginx:1.27"] }), startTestRegistry({ users: { [USER]: PASSWORD_1 } })]);
  await registry.pushImage("team/app", "1.0");
  owner = await newUser("k8s");
  teamSlug = owner.team.slug;
  authDir = await mkdtemp(path.join(tmpdir(), "pull-proof-"));
}, 120_000);

afterAll(async () => {
  await Promise.all([kube?.close(created), registry?.stop()]);
});

async function environment(name = `prod-${rand()}`) {
  const r = await environmentActions.create(owner.session, { teamSlug, name, slug: name, orchestrator: "kubernetes", kubeconfig: kube.kubeconfigYaml() });
  if (!r.ok) throw new Error(JSON.stringify(r));
  created.push(`env-${name}`);
  return { id: r.data.environmentId, slug: name, namespace: `env-${name}` };
}

async function customRegistry(password = PASSWORD_1) {
  const r = await registryActions.create(owner.session, { teamSlug, name: `local ${rand()}`, type: "Custom", credentials: { url: registry.url, username: USER, password } });
  if (!r.ok) throw new Error(JSON.stringify(r));
  return r.data.registryId;
}

async function container(environmentId: string, registryId: string, imageName = `${registry.host}/team/app`, imageTag = "1.0") {
  const r = await containerActions.create(owner.session, { teamSlug, environmentId, name: `app-${rand()}`, registryId, imageName, imageTag, replicas: 1, port: 8080 });
  if (!r.ok) throw new Error(JSON.stringify(r));
  return r.data.containerId;
}

/** The pull proof: skopeo with the Secret's own `.dockerconfigjson` as its authfile. */
async function pullWith(secret: { data?: Record<string, string> }, image = `${registry.host}/team/app:1.0`) {
  const file = path.join(authDir, `auth-${rand()}.json`);
  await writeFile(file, Buffer.from(secret.data![".dockerconfigjson"]!, "base64"), { mode: 0o600 });
  return registry.inspectWithAuthfile(image, file);
}

function deploy(containerId: string, action: "deploy" | "restart" | "scale" = "deploy", replicas?: number) {
  return runDeployment(owner.team, owner.user, { containerId, action, replicas }, fastKube);
}

describe("deploy to Kubernetes", () => {
  it("writes the namespace, the pull secret and a Deployment that references it; the Secret really pulls", async () => {
    const env = await environment();
    const registryId = await customRegistry();
    const containerId = await container(env.id, registryId);
    expect(await deploy(containerId)).toMatchObject(applied);

    const ns = (await kube.get("namespaces", undefined, env.namespace));
    expect(ns.metadata.labels["app.kubernetes.io/managed-by"]).toBe("dockyard");
    const secretName = `custom-${registryId}-creds`;
    const secret = (await kube.get("secrets", env.namespace, secretName));
    expect(secret.type).toBe("kubernetes.io/dockerconfigjson");
    expect(secret.metadata.labels).toMatchObject({ "dockyard.dev/registry-id": registryId, "app.kubernetes.io/managed-by": "dockyard" });
    expect(secret.metadata.annotations["dockyard.dev/credential-version"]).toBe("1");
    const config = JSON.parse(Buffer.from(secret.data[".dockerconfigjson"], "base64").toString());
    expect(Object.keys(config.auths)).toEqual([registry.host]);

    const deployment = (await kube.get("deployments", env.namespace, (await getContainer(owner.team.id, containerId)).name));
    expect(deployment.spec.template.spec.imagePullSecrets).toEqual([{ name: secretName }]);
    expect(deployment.spec.template.spec.containers[0].image).toBe(`${registry.host}/team/app:1.0`);

    expect(await pullWith(secret)).toMatchObject({ ok: true });
    // The same file with a wrong password is refused: the proof can fail.
    const wrong = { data: { ".dockerconfigjson": Buffer.from(JSON.stringify({ auths: { [registry.host]: { auth: Buffer.from(`${USER}:nope`).toString("base64") } } })).toString("base64") } };
    expect(await pullWith(wrong)).toMatchObject({ ok: false });
  });

  it("rotation redeploys nothing; the next restart refreshes the Secret, which pulls while the old one is refused", async () => {
    const env = await environment();
    const registryId = await customRegistry();
    const containerId = await container(env.id, registryId);
    await deploy(containerId);
    const secretName = `custom-${registryId}-creds`;
    const before = (await kube.get("secrets", env.namespace, secretName));
    const deploymentBefore = (await kube.get("deployments", env.namespace, (await getContainer(owner.team.id, containerId)).name));

    // The registry operator rotates: the old password stops working, the new one works.
    await registry.setUser(USER, PASSWORD_2);
    const rotated = await registryActions.update(owner.session, { teamSlug, registryId, credentials: { password: PASSWORD_2 } });
    expect(rotated, JSON.stringify(rotated)).toMatchObject({ ok: true });
    kube.server?.reset();
    expect(kube.server?.requests ?? []).toHaveLength(0);
    expect((await kube.get("secrets", env.namespace, secretName)).metadata.resourceVersion).toBe(before.metadata.resourceVersion);
    // "Since the last successful pull": on a real cluster nothing pulled from the loopback registry.
    if (!realCluster) expect((await getContainer(owner.team.id, containerId)).credentialsRotatedSinceDeploy).toBe(true);
    expect(await pullWith(before)).toMatchObject({ ok: false });

    expect(await deploy(containerId, "restart")).toMatchObject(applied);
    const after = (await kube.get("secrets", env.namespace, secretName));
    expect(after.metadata.annotations["dockyard.dev/credential-version"]).toBe("2");
    expect(await pullWith(after)).toMatchObject({ ok: true });
    const deploymentAfter = (await kube.get("deployments", env.namespace, deploymentBefore.metadata.name));
    expect(deploymentAfter.spec.template.metadata.annotations["dockyard.dev/restarted-at"]).toBeTruthy();
    expect(deploymentAfter.spec.template.metadata.annotations).not.toEqual(deploymentBefore.spec.template.metadata.annotations);
    expect((await getContainer(owner.team.id, containerId)).credentialsRotatedSinceDeploy).toBe(false);

    const [record] = await db().select().from(deployments).where(and(eq(deployments.containerId, containerId), eq(deployments.action, "restart")));
    expect(record).toMatchObject({ ...applied, credentialVersion: 2, registryId });
    expect(record!.log).not.toContain(PASSWORD_2);
    await registry.setUser(USER, PASSWORD_1);
  });

  it("scale updates replicas and refreshes the Secret too", async () => {
    const env = await environment();
    const containerId = await container(env.id, await customRegistry());
    await deploy(containerId);
    kube.server?.reset();
    expect(await deploy(containerId, "scale", 3)).toMatchObject(applied);
    const view = await getContainer(owner.team.id, containerId);
    expect((await kube.get("deployments", env.namespace, view.name)).spec.replicas).toBe(3);
    if (kube.server) expect(server().requests.filter((r) => r.method === "PUT").map((r) => r.path.split("/").at(-2))).toEqual(["secrets", "deployments"]);
  });

  it("a public image gets no Secret and no imagePullSecrets", async () => {
    const env = await environment();
    const r = await containerActions.create(owner.session, { teamSlug, environmentId: env.id, name: "nginx", registryId: "", imageName: "nginx", imageTag: "1.27", replicas: 1, port: null });
    if (!r.ok) throw new Error(JSON.stringify(r));
    expect(await deploy(r.data.containerId)).toMatchObject(applied);
    expect((await kube.list("secrets", env.namespace))).toEqual([]);
    const deployment = (await kube.get("deployments", env.namespace, "nginx"));
    expect(deployment.spec.template.spec.imagePullSecrets).toBeUndefined();
    expect(deployment.spec.template.spec.containers[0].image).toBe("docker.io/library/nginx:1.27");
  });

  it("each environment gets its own copy of the Secret", async () => {
    const registryId = await customRegistry();
    const [a, b] = [await environment(), await environment()];
    await deploy(await container(a.id, registryId));
    await deploy(await container(b.id, registryId));
    for (const env of [a, b]) expect(await pullWith((await kube.get("secrets", env.namespace, `custom-${registryId}-creds`)))).toMatchObject({ ok: true });
  });

  it("refreshes one registry's pull secrets in every namespace with one PUT each, touching no workload", async () => {
    const registryId = await customRegistry();
    const envs = [await environment(), await environment(), await environment()];
    for (const env of envs) await deploy(await container(env.id, registryId));
    await registry.setUser(USER, PASSWORD_2);
    try {
      await registryActions.update(owner.session, { teamSlug, registryId, credentials: { password: PASSWORD_2 } });
      kube.server?.reset();
      const outcome = await refreshPullSecrets(owner.team.id, registryId, fastKube);
      expect(outcome.refreshed.sort()).toEqual(envs.map((e) => e.namespace).sort());
      if (kube.server) expect(server().requests.map((r) => `${r.method} ${r.path.split("/").slice(-2, -1)[0]}`)).toEqual(["PUT secrets", "PUT secrets", "PUT secrets"]);
      for (const env of envs) {
        const secret = (await kube.get("secrets", env.namespace, `custom-${registryId}-creds`));
        expect(secret.metadata.annotations["dockyard.dev/credential-version"]).toBe("2");
        expect(await pullWith(secret)).toMatchObject({ ok: true });
      }
      // A namespace deleted behind our back is recreated, then the Secret (a real cluster takes
      // its time to finish deleting a namespace, so only on the test server).
      if (kube.server) {
        await kubeClients({ kubeconfig: kube.kubeconfigYaml() }).core.deleteNamespace({ name: envs[0]!.namespace });
        expect((await refreshPullSecrets(owner.team.id, registryId, fastKube)).failed).toEqual([]);
        expect((await kube.get("secrets", envs[0]!.namespace, `custom-${registryId}-creds`))).toBeDefined();
      }
    } finally {
      await registry.setUser(USER, PASSWORD_1);
    }
  });

  serverOnly("a failing API server marks the deploy failed at its step; the old Secret stays whole; a re-run converges", async () => {
    const env = await environment();
    const registryId = await customRegistry();
    const containerId = await container(env.id, registryId);
    await deploy(containerId);
    const secretName = `custom-${registryId}-creds`;
    const before = (await kube.get("secrets", env.namespace, secretName));

    await registry.setUser(USER, PASSWORD_2);
    await registryActions.update(owner.session, { teamSlug, registryId, credentials: { password: PASSWORD_2 } });
    server().failNext((req) => req.method === "PUT" && req.path.includes("/secrets/"), { status: 500, reason: "InternalError", message: "etcd is unhappy" });
    const failed = await deploy(containerId);
    expect(failed).toMatchObject({ status: "failed", message: expect.stringContaining(`pull secret ${env.namespace}/${secretName}`) });
    expect(failed.message).toContain("etcd is unhappy");
    expect((await kube.get("secrets", env.namespace, secretName)).data).toEqual(before.data);

    server().failNext((req) => req.path.includes("/deployments/"), "hang");
    const timedOut = await deploy(containerId);
    expect(timedOut).toMatchObject({ status: "failed", message: expect.stringContaining("did not answer in time") });

    expect(await deploy(containerId)).toMatchObject(applied);
    expect(await pullWith((await kube.get("secrets", env.namespace, secretName)))).toMatchObject({ ok: true });
    const [row] = await db().select().from(deployments).where(eq(deployments.id, failed.deploymentId));
    expect(row).toMatchObject({ status: "failed", failedStep: `pull secret ${env.namespace}/${secretName}` });
    await registry.setUser(USER, PASSWORD_1);
  });

  it("deleting the container removes its Deployment; deleting the registry then removes its pull secrets", async () => {
    const registryId = await customRegistry();
    const [a, b] = [await environment(), await environment()];
    const ca = await container(a.id, registryId);
    const cb = await container(b.id, registryId);
    await deploy(ca);
    await deploy(cb);
    const nameA = (await getContainer(owner.team.id, ca)).name;
    const { deleteContainer, loadContainer } = await import("@/lib/containers/service");
    await deleteContainer(owner.team, owner.user, await loadContainer(owner.team.id, ca), fastKube);
    await deleteContainer(owner.team, owner.user, await loadContainer(owner.team.id, cb), fastKube);
    expect((await kube.get("deployments", a.namespace, nameA))).toBeUndefined();

    const result = await deleteRegistry(owner.team, owner.user, await loadRowWithCreator(owner.team.id, registryId), fastKube);
    expect(result).toMatchObject({ removedFrom: expect.arrayContaining([a.namespace, b.namespace]), failedIn: [] });
    expect((await kube.get("secrets", a.namespace, `custom-${registryId}-creds`))).toBeUndefined();
    expect((await kube.get("secrets", b.namespace, `custom-${registryId}-creds`))).toBeUndefined();
    expect(await db().select().from(registries).where(eq(registries.id, registryId))).toEqual([]);
  });

  it("a registry deleted while a deploy is prepared: the foreign key refuses, the deploy finishes cleanly", async () => {
    const env = await environment();
    const registryId = await customRegistry();
    const containerId = await container(env.id, registryId);
    kube.server?.setLatency(300);
    const [outcome, deletion] = await Promise.all([deploy(containerId), registryActions.delete(owner.session, { teamSlug, registryId })]);
    kube.server?.setLatency(0);
    expect(deletion).toMatchObject({ ok: false, code: "conflict" });
    expect(outcome).toMatchObject(applied);
    expect(await db().select().from(registries).where(eq(registries.id, registryId))).toHaveLength(1);
  });
});

describe("rollout and pull status, read back from the orchestrator", () => {
  const redact = redactor([PASSWORD_1, PASSWORD_2]);
  const rowOf = async (deploymentId: string) => (await db().select().from(deployments).where(eq(deployments.id, deploymentId)))[0]!;

  /** Reads until `done` holds (a real cluster's kubelet takes its time), or fails with the last state. */
  async function readUntil(namespace: string, name: string, done: (s: WorkloadState) => boolean): Promise<WorkloadState> {
    const k = kubeClients({ kubeconfig: kube.kubeconfigYaml() });
    const deadline = Date.now() + (realCluster ? 90_000 : 15_000);
    for (;;) {
      const state = await readWorkloadState(k, namespace, name, redact);
      if (done(state) || Date.now() > deadline) return state;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  serverOnly("a good deploy rolls out: every step recorded in order, the pods Running, 2/2 ready", async () => {
    const env = await environment();
    const containerId = await container(env.id, await customRegistry());
    await deploy(containerId, "scale", 2);
    const outcome = await deploy(containerId);
    expect(outcome).toMatchObject({ status: "succeeded", outcome: "rolled_out", message: "Deploy rolled out (2/2 ready)", pullFailure: null });
    const row = await rowOf(outcome.deploymentId);
    expect(row.steps.map((s) => [s.name, s.status])).toEqual([
      ["credentials", "done"],
      ["pull secret", "done"],
      ["workload", "done"],
      ["rollout", "done"],
    ]);
    expect(row.steps[3]!.detail).toBe("2/2 ready");
    expect(row.rollout).toMatchObject({ desired: 2, updated: 2, ready: 2, available: 2, observedCurrent: true });
    expect(row.runner).toBeTruthy();
    expect(row.finishedAt).toBeTruthy();
    const name = (await getContainer(owner.team.id, containerId)).name;
    const pods = (await kube.list("pods", env.namespace)).filter((p) => p.metadata.name.startsWith(`${name}-`));
    expect(pods.map((p) => p.status.phase)).toEqual(["Running", "Running"]);
    const events = await kube.list("events", env.namespace);
    expect(events.some((e) => /^Successfully pulled image ".+team\/app:1.0"/.test(e.message))).toBe(true);
  });

  serverOnly("the registry changes the password: the new pod cannot pull (credentials refused) while the old one keeps serving; rotating and deploying heals it", async () => {
    const env = await environment();
    const registryId = await customRegistry();
    const containerId = await container(env.id, registryId);
    const name = (await getContainer(owner.team.id, containerId)).name;
    expect(await deploy(containerId)).toMatchObject({ outcome: "rolled_out" });

    await registry.setUser(USER, PASSWORD_2);
    try {
      const failed = await deploy(containerId, "restart");
      expect(failed).toMatchObject({ status: "failed", outcome: "pull_failed", message: "pull failed: credentials refused", pullFailure: { reason: "credentials_refused" } });
      expect(failed.pullFailure!.message).toMatch(/^Failed to pull image ".+\/team\/app:1.0": reading manifest 1.0 in .+: unauthorized: authentication required$/);
      const row = await rowOf(failed.deploymentId);
      expect(row).toMatchObject({ failedStep: "rollout", rollout: { desired: 1, ready: 1, updated: 1, pullFailure: { reason: "credentials_refused" } } });
      expect(row.steps.at(-1)).toMatchObject({ name: "rollout", status: "failed", detail: "1/1 ready, 1 old still running; pull failed: credentials refused" });
      for (const text of [JSON.stringify(row), JSON.stringify(failed)]) {
        expect(text).not.toContain(PASSWORD_1);
        expect(text).not.toContain(PASSWORD_2);
      }
      // What the watcher reads: the old pod Running, the new one unable to pull.
      const state = await readWorkloadState(kubeClients({ kubeconfig: kube.kubeconfigYaml() }), env.namespace, name, redact);
      expect(state.instances.map((i) => i.state).sort()).toEqual([expect.stringMatching(/^(ErrImagePull|ImagePullBackOff)$/), "Running"]);
      expect(state.pullFailure).toMatchObject({ reason: "credentials_refused", image: `${registry.host}/team/app:1.0` });
      // The page's words.
      const view = await getContainer(owner.team.id, containerId);
      expect(view.deployments[0]!.pullFailure).toMatchObject({ label: "credentials refused", words: expect.stringContaining("rotate them") });

      // The user rotates in the dashboard and deploys: the pod backing off pulls with the new Secret.
      await registryActions.update(owner.session, { teamSlug, registryId, credentials: { password: PASSWORD_2 } });
      const healed = await deploy(containerId);
      expect(healed).toMatchObject({ status: "succeeded", outcome: "rolled_out" });
      const after = await readUntil(env.namespace, name, (s) => s.total === 1);
      expect(after).toMatchObject({ ready: 1, total: 1, updated: 1 });
      expect(after.pullFailure).toBeUndefined();
    } finally {
      await registry.setUser(USER, PASSWORD_1);
    }
  });

  serverOnly("a wrong password saved in the dashboard: pull failed: credentials refused, recorded on the deployment", async () => {
    const env = await environment();
    const containerId = await container(env.id, await customRegistry("not-the-password-0123456789"));
    const outcome = await deploy(containerId);
    expect(outcome).toMatchObject({ status: "failed", outcome: "pull_failed", message: "pull failed: credentials refused", pullFailure: { reason: "credentials_refused" } });
    const row = await rowOf(outcome.deploymentId);
    expect(row).toMatchObject({ failedStep: "rollout", pullFailure: { reason: "credentials_refused" }, rollout: { desired: 1, ready: 0 } });
    expect(JSON.stringify(row)).not.toContain("not-the-password-0123456789");
    expect(kube.kubelet!.pulls.filter((p) => p.image === `${registry.host}/team/app:1.0` && !p.ok).length).toBeGreaterThan(0);
  });

  serverOnly("a registry answering 429: pull failed: rate limited, in Docker Hub's words", async () => {
    const limited = await startRateLimitedRegistry(registry);
    try {
      const env = await environment();
      const r = await registryActions.create(owner.session, { teamSlug, name: `limited ${rand()}`, type: "Custom", credentials: { url: limited.url, username: USER, password: PASSWORD_1 } });
      if (!r.ok) throw new Error(JSON.stringify(r));
      const containerId = await container(env.id, r.data.registryId, `${limited.host}/team/app`);
      const outcome = await deploy(containerId);
      expect(outcome).toMatchObject({ status: "failed", outcome: "pull_failed", message: "pull failed: rate limited", pullFailure: { reason: "rate_limited" } });
      expect(outcome.pullFailure!.message).toContain("toomanyrequests: You have reached your pull rate limit");
      expect(limited.refused).toBeGreaterThan(0);
      const view = await getContainer(owner.team.id, containerId);
      expect(view.deployments[0]!.pullFailure!.words).toContain("Docker Hub");

      // Once the limit resets, the next pull goes through the proxy to the real registry.
      limited.limited = false;
      expect(await deploy(containerId, "restart")).toMatchObject({ outcome: "rolled_out" });
    } finally {
      await limited.stop();
    }
  });

  it("pods whose node cannot reach the registry: pull failed, network (the same reading on a real cluster)", async () => {
    const env = await environment();
    // Nothing listens on port 1 of the node itself.
    const r = await containerActions.create(owner.session, { teamSlug, environmentId: env.id, name: "unreachable", registryId: "", imageName: "127.0.0.1:1/team/app", imageTag: "1.0", replicas: 1, port: null });
    if (!r.ok) throw new Error(JSON.stringify(r));
    const outcome = await deploy(r.data.containerId);
    expect(outcome).toMatchObject({ status: "failed", outcome: "pull_failed", pullFailure: { reason: "network", image: "127.0.0.1:1/team/app:1.0" } });
    expect(outcome.pullFailure!.message).toContain("connection refused");
    // The watcher's reading of the whole environment says the same.
    const states = await readEnvironmentWorkloads({ orchestrator: "kubernetes", kube: { kubeconfig: kube.kubeconfigYaml() } }, env, [{ id: r.data.containerId, name: "unreachable", replicas: 1 }], fastKube, redact);
    expect(states.get(r.data.containerId)).toMatchObject({ exists: true, desired: 1, ready: 0, pullFailure: { reason: "network" } });
  });

  it("an image name kubelet cannot parse: InvalidImageName, with kubelet's own message; a missing Deployment reads as absent", async () => {
    const namespace = `st-${rand()}`;
    created.push(namespace);
    const k = kubeClients({ kubeconfig: kube.kubeconfigYaml() });
    await k.core.createNamespace({ body: { metadata: { name: namespace, labels: { "app.kubernetes.io/managed-by": "dockyard" } } } });
    const labels = { "app.kubernetes.io/managed-by": "dockyard", app: "bad-name" };
    // Written past the platform, which refuses such a name: someone's kubectl edit.
    await k.apps.createNamespacedDeployment({
      namespace,
      body: { metadata: { name: "bad-name", labels }, spec: { selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: "app", image: "localhost:5000/Team/App:1.0" }] } } } },
    });
    const state = await readUntil(namespace, "bad-name", (s) => !!s.pullFailure);
    expect(state.pullFailure).toMatchObject({ reason: "other", image: "localhost:5000/Team/App:1.0" });
    expect(state.pullFailure!.message).toContain("repository name must be lowercase");
    expect(state.instances.map((i) => i.state)).toEqual(["InvalidImageName"]);
    expect(await readWorkloadState(k, namespace, "no-such-deployment", redact)).toMatchObject({ exists: false, desired: 0, instances: [] });
  });

  serverOnly("a deploy that fails after writing the Secret still records where the Secret lives (refresh and cleanup find it)", async () => {
    const env = await environment();
    const registryId = await customRegistry();
    const containerId = await container(env.id, registryId);
    server().failNext((req) => req.method === "PUT" && req.path.includes("/deployments/"), { status: 500, reason: "InternalError", message: "etcd is unhappy" });
    const outcome = await deploy(containerId);
    expect(outcome).toMatchObject({ status: "failed", outcome: "failed", message: expect.stringContaining("etcd is unhappy") });
    const row = await rowOf(outcome.deploymentId);
    expect(row.steps.map((s) => [s.name, s.status])).toEqual([
      ["credentials", "done"],
      ["pull secret", "done"],
      ["workload", "failed"],
      ["rollout", "pending"],
    ]);
    expect(await kube.get("secrets", env.namespace, `custom-${registryId}-creds`)).toBeDefined();
    const places = await db().select().from(pullSecrets).where(eq(pullSecrets.registryId, registryId));
    expect(places).toMatchObject([{ namespace: env.namespace, secretName: `custom-${registryId}-creds`, credentialVersion: 1 }]);
  });

  serverOnly("a cluster whose pods never get ready: the deploy records a rollout timeout", async () => {
    const bare = await startKubeServer(); // no controllers, no kubelet: nothing ever reports back
    try {
      const name = `bare-${rand()}`;
      const env = await environmentActions.create(owner.session, { teamSlug, name, slug: name, orchestrator: "kubernetes", kubeconfig: bare.kubeconfigYaml() });
      if (!env.ok) throw new Error(JSON.stringify(env));
      const containerId = await container(env.data.environmentId, await customRegistry());
      const outcome = await runDeployment(owner.team, owner.user, { containerId, action: "deploy" }, { ...fastKube, rolloutTimeoutMs: 1500 });
      expect(outcome).toMatchObject({ status: "failed", outcome: "rollout_timeout", message: "The rollout did not finish within 2 s (0/1 ready)" });
      const row = await rowOf(outcome.deploymentId);
      expect(row).toMatchObject({ failedStep: "rollout", rollout: { desired: 1, ready: 0, observedCurrent: false } });
    } finally {
      await bare.close();
    }
  });

  it("one deploy at a time per container; its progress is for its team only; a run whose server died is reaped", async () => {
    const env = await environment();
    const containerId = await container(env.id, await customRegistry());
    const { deploymentId } = await startDeployment(owner.team, owner.user, { containerId, action: "deploy" }, fastKube);
    const second = await startDeployment(owner.team, owner.user, { containerId, action: "restart" }, fastKube).catch((e: unknown) => e);
    expect(second).toBeInstanceOf(SafeError);
    expect((second as SafeError).code).toBe("conflict");

    const outsider = await newUser("outsider");
    expect(await containerActions.progress(null, { teamSlug, deploymentId })).toMatchObject({ ok: false, code: "unauthenticated" });
    expect(await containerActions.progress(outsider.session, { teamSlug, deploymentId })).toMatchObject({ ok: false, code: "not_found" });
    expect(await containerActions.progress(outsider.session, { teamSlug: outsider.team.slug, deploymentId })).toMatchObject({ ok: false, code: "not_found" });
    const live = await containerActions.progress(owner.session, { teamSlug, deploymentId });
    expect(live).toMatchObject({ ok: true, data: { id: deploymentId, containerId, steps: [{ name: "credentials" }, { name: "pull secret" }, { name: "workload" }, { name: "rollout" }] } });
    expect((await waitForDeployment(owner.team.id, deploymentId)).status).not.toBe("running");

    // A run whose server stopped: its heartbeat is two minutes old.
    const abandoned = await startDeployment(owner.team, owner.user, { containerId, action: "deploy" }, fastKube);
    await waitForDeployment(owner.team.id, abandoned.deploymentId);
    await db()
      .update(deployments)
      .set({ status: "running", outcome: null, runner: "gone:1:dead", heartbeatAt: new Date(Date.now() - 120_000), finishedAt: null })
      .where(eq(deployments.id, abandoned.deploymentId));
    expect(await deploymentProgress(owner.team.id, abandoned.deploymentId)).toMatchObject({ status: "failed", outcome: "failed", message: expect.stringContaining("stopped before it finished") });
    expect(await deploy(containerId)).toMatchObject(applied);
  });
});

