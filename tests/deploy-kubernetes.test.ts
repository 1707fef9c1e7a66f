import "./support/allow-loopback";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { and, eq } from "drizzle-orm";
import { db } from "@/db";
import { deployments, registries } from "@/db/schema";
import { environmentActions } from "@/lib/environments/actions";
import { containerActions } from "@/lib/containers/actions";
import { getContainer } from "@/lib/containers/service";
import { runDeployment } from "@/lib/containers/deployments";
import { registryActions } from "@/lib/registries/actions";
import { deleteRegistry } from "@/lib/registries/service";
import { refreshPullSecrets } from "@/lib/containers/refresh";
import { kubeClients } from "@/lib/deploy/kubernetes";
import type { KubeSource } from "@/lib/deploy";
import { newUser } from "./fixtures";
import { realCluster, startKubeTarget, type KubeTarget } from "./support/kube-target";
import type { KubeServer } from "./support/kube-server";
import { startTestRegistry, type TestRegistry } from "./support/test-registry";

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
    const { deleteContainer } = await import("@/lib/containers/service");
    await deleteContainer(owner.team, owner.user, "owner", ca, fastKube);
    await deleteContainer(owner.team, owner.user, "owner", cb, fastKube);
    expect((await kube.get("deployments", a.namespace, nameA))).toBeUndefined();

    const result = await deleteRegistry(owner.team, owner.user, "owner", registryId, fastKube);
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
