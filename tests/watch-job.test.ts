import "./support/allow-loopback";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { and, desc, eq } from "drizzle-orm";
import { db } from "@/db";
import { auditEvents, environmentWatch, pullHealth, pullSecrets } from "@/db/schema";
import { containerActions } from "@/lib/containers/actions";
import { runDeployment } from "@/lib/containers/deployments";
import { watchPullHealth } from "@/lib/containers/watch-job";
import { environmentActions } from "@/lib/environments/actions";
import { kubeClients } from "@/lib/deploy/kubernetes";
import type { KubeSource } from "@/lib/deploy";
import type { CommandRunner } from "@/lib/deploy/command";
import { registryActions } from "@/lib/registries/actions";
import { applyRotation } from "@/lib/registries/rollout";
import { loadRow } from "@/lib/registries/service";
import { newUser } from "./fixtures";
import { realCluster, startKubeTarget, type KubeTarget } from "./support/kube-target";
import { startTestRegistry, type TestRegistry } from "./support/test-registry";
import { closedPort } from "./support/registry-servers";

/**
 * The pull-health watcher and drift repair on real parts: the Kubernetes test server with the
 * kubelet simulator pulling for real (skopeo) from the real test registry, PostgreSQL, and the
 * registry's password changed in its htpasswd like an operator would.
 */

const USER = "watch-user";
const PASSWORD = "watch-password-0123456789";
const NEW_PASSWORD = "watch-password-rotated-9876";
let kube: KubeTarget;
let registry: TestRegistry;
let owner: Awaited<ReturnType<typeof newUser>>;
const namespaces: string[] = [];

const swarmCalls: { args: string[]; stdin?: string }[] = [];
const runner: CommandRunner = async (_cmd, args, opts) => {
  swarmCalls.push({ args: args.slice(2), stdin: opts.stdin });
  return { code: 0, stdout: "", stderr: "" };
};
const kubeDep = { kube: (src: KubeSource) => kubeClients(src, { timeoutMs: realCluster ? 10_000 : 2000 }) };
const deps = { ...kubeDep, runner, rolloutPollMs: 100 };

beforeAll(async () => {
  process.env.DEPLOY_ROLLOUT_TIMEOUT_SECONDS = "8";
  [kube, registry] = await Promise.all([startKubeTarget(), startTestRegistry({ users: { [USER]: PASSWORD } })]);
  await registry.pushImage("team/app", "1.0");
  owner = await newUser("watch");
}, 120_000);

afterAll(async () => {
  await Promise.all([kube?.close(namespaces), registry?.stop()]);
});

const rand = () => Math.random().toString(36).slice(2, 7);

async function deployed() {
  const teamSlug = owner.team.slug;
  const slug = `watch-${rand()}`;
  const env = await environmentActions.create(owner.session, { teamSlug, name: slug, slug, orchestrator: "kubernetes", kubeconfig: kube.kubeconfigYaml() });
  const reg = await registryActions.create(owner.session, { teamSlug, name: `local ${rand()}`, type: "Custom", credentials: { url: registry.url, username: USER, password: PASSWORD } });
  if (!env.ok || !reg.ok) throw new Error(JSON.stringify([env, reg]));
  namespaces.push(`env-${slug}`);
  const ctr = await containerActions.create(owner.session, {
    teamSlug,
    environmentId: env.data.environmentId,
    name: "app",
    registryId: reg.data.registryId,
    imageName: `${registry.host}/team/app`,
    imageTag: "1.0",
    replicas: 1,
    port: null,
  });
  if (!ctr.ok) throw new Error(JSON.stringify(ctr));
  const first = await runDeployment(owner.team, owner.user, { containerId: ctr.data.containerId, action: "deploy" }, deps);
  expect(first).toMatchObject({ status: "succeeded" });
  return { environmentId: env.data.environmentId, registryId: reg.data.registryId, containerId: ctr.data.containerId, namespace: `env-${slug}` };
}

const healthOf = async (registryId: string, environmentId: string) =>
  (await db().select().from(pullHealth).where(and(eq(pullHealth.registryId, registryId), eq(pullHealth.environmentId, environmentId))))[0];

const driftAudits = async (registryId: string) =>
  (await db().select().from(auditEvents).where(and(eq(auditEvents.registryId, registryId), eq(auditEvents.action, "registry.drift_repaired"))).orderBy(desc(auditEvents.id))).map(
    (e) => e.details as { what: string; environment: string; restoredAt: string },
  );

/** The watcher's environments are due every 2 minutes: each call here pretends that much passed. */
let clock = Date.now();
const tick = () => watchPullHealth({ ...deps, now: new Date((clock += 3 * 60_000)) });

describe("pull health", () => {
  it("OK after a good deploy; failing (credentials refused) once the registry's password changed and pods pull again; OK again after a rotation and Apply now", async () => {
    const { environmentId, registryId, containerId } = await deployed();
    expect((await tick()).ran).toBe(true);
    expect(await healthOf(registryId, environmentId)).toMatchObject({ status: "ok", okContainers: 1, failingContainers: [] });

    await registry.setUser(USER, NEW_PASSWORD);
    try {
      const restart = await runDeployment(owner.team, owner.user, { containerId, action: "restart" }, deps);
      expect(restart).toMatchObject({ status: "failed", message: expect.stringContaining("credentials refused") });
      await tick();
      const failing = await healthOf(registryId, environmentId);
      expect(failing).toMatchObject({ status: "failing", failingContainers: ["app"], failure: { reason: "credentials_refused" } });
      const since = failing!.since;
      await tick();
      // Still failing: the time it started failing is kept.
      expect((await healthOf(registryId, environmentId))!.since).toEqual(since);

      const rotated = await registryActions.update(owner.session, { teamSlug: owner.team.slug, registryId, credentials: { password: NEW_PASSWORD } });
      expect(rotated).toMatchObject({ ok: true });
      // "Apply now" rewrites the Secret; kubelet's next retry reads it and the pod pulls.
      const applied = await applyRotation(owner.team, owner.user, await loadRow(owner.team.id, registryId), deps);
      expect(applied.apply).toMatchObject({ total: 1, done: 1, failed: [] });
      await expect.poll(async () => (await tick(), (await healthOf(registryId, environmentId))?.status), { timeout: 20_000, interval: 500 }).toBe("ok");
    } finally {
      await registry.setUser(USER, PASSWORD);
    }
  }, 90_000);
});

describe("drift repair", () => {
  it("a pull secret deleted, edited, or its reference removed by hand is restored and recorded", async () => {
    const { environmentId, registryId, namespace } = await deployed();
    const k = kubeDep.kube({ kubeconfig: kube.kubeconfigYaml() });
    const [place] = await db().select().from(pullSecrets).where(and(eq(pullSecrets.registryId, registryId), eq(pullSecrets.environmentId, environmentId)));
    const name = place!.secretName;

    await k.core.deleteNamespacedSecret({ name, namespace });
    expect((await tick()).repaired).toBeGreaterThanOrEqual(1);
    const restored = await kube.get("secrets", namespace, name);
    expect(restored).toBeDefined();
    expect((await driftAudits(registryId))[0]).toMatchObject({ what: "pull secret deleted outside the dashboard", restoredAt: expect.any(String) });

    const edited = await k.core.readNamespacedSecret({ name, namespace });
    edited.data = { ".dockerconfigjson": Buffer.from('{"auths":{}}').toString("base64") };
    await k.core.replaceNamespacedSecret({ name, namespace, body: edited });
    await tick();
    const back = await kube.get("secrets", namespace, name);
    expect(Buffer.from(back.data[".dockerconfigjson"], "base64").toString()).toContain(registry.host);
    expect((await driftAudits(registryId))[0]).toMatchObject({ what: "pull secret edited outside the dashboard" });

    const deployment = await k.apps.readNamespacedDeployment({ name: "app", namespace });
    deployment.spec!.template.spec!.imagePullSecrets = [];
    await k.apps.replaceNamespacedDeployment({ name: "app", namespace, body: deployment });
    await tick();
    const refs = (await kube.get("deployments", namespace, "app")).spec.template.spec.imagePullSecrets;
    expect(refs).toEqual([{ name }]);
    expect((await driftAudits(registryId))[0]).toMatchObject({ what: "imagePullSecrets reference removed from app outside the dashboard" });

    // Nothing drifted: nothing is rewritten.
    expect((await tick()).repaired).toBe(0);
  }, 90_000);
});

describe("scheduling", () => {
  it("an environment that does not answer backs off; one runner at a time", async () => {
    const teamSlug = owner.team.slug;
    const port = await closedPort();
    const deadConfig = kube.kubeconfigYaml().replace(/server: .*/, `server: http://127.0.0.1:${port}`);
    const slug = `dead-${rand()}`;
    const env = await environmentActions.create(owner.session, { teamSlug, name: slug, slug, orchestrator: "kubernetes", kubeconfig: deadConfig });
    const reg = await registryActions.create(owner.session, { teamSlug, name: `dead ${rand()}`, type: "Custom", credentials: { url: registry.url, username: USER, password: PASSWORD } });
    if (!env.ok || !reg.ok) throw new Error(JSON.stringify([env, reg]));
    const ctr = await containerActions.create(owner.session, { teamSlug, environmentId: env.data.environmentId, name: "app", registryId: reg.data.registryId, imageName: `${registry.host}/team/app`, imageTag: "1.0", replicas: 1, port: null });
    expect(ctr.ok).toBe(true);

    const at = new Date((clock += 3 * 60_000));
    const first = await watchPullHealth({ ...deps, now: at });
    expect(first.unreachable).toBeGreaterThanOrEqual(1);
    const [watch] = await db().select().from(environmentWatch).where(eq(environmentWatch.environmentId, env.data.environmentId));
    expect(watch).toMatchObject({ failures: 1, lastError: expect.stringContaining("cannot reach the API server") });
    expect(watch!.nextAt.getTime() - at.getTime()).toBe(4 * 60_000);

    // Every environment due (an hour later): the first run takes a while, the second finds the lock held.
    const later = new Date(at.getTime() + 3600_000);
    const [a, b] = await Promise.all([watchPullHealth({ ...deps, now: later }), watchPullHealth({ ...deps, now: later })]);
    expect([a.ran, b.ran].sort()).toEqual([false, true]);
    expect(a.environments + b.environments).toBeGreaterThanOrEqual(3);
  }, 60_000);
});
