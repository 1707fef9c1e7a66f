import "./support/allow-loopback";
import { copyFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { and, eq } from "drizzle-orm";
import { db } from "@/db";
import { auditEvents, deployments, pullSecrets, registries } from "@/db/schema";
import { containerActions } from "@/lib/containers/actions";
import { environmentActions } from "@/lib/environments/actions";
import { kubeClients } from "@/lib/deploy/kubernetes";
import type { KubeSource } from "@/lib/deploy";
import type { CommandRunner } from "@/lib/deploy/command";
import { newId } from "@/lib/ids";
import { registryActions } from "@/lib/registries/actions";
import { applyRotation, rolloutOf } from "@/lib/registries/rollout";
import { loadRow } from "@/lib/registries/service";
import { registryTeam } from "./fixtures";
import { startKubeServer } from "./support/kube-server";
import { realCluster, startKubeTarget, type KubeTarget } from "./support/kube-target";
import { startTestRegistry, type TestRegistry } from "./support/test-registry";

/**
 * "Apply to N environments now" and the pull probe, on real parts: the Kubernetes test server,
 * the real test registry (whose password is rotated like a user would), Swarm through an
 * injectable runner, PostgreSQL.
 */

// The probe trusts the test registry's CA the way the server does: through LIVE_CHECK_CA_FILE,
// read at every check (set before the app reads its environment).
const CA_FILE = path.join(tmpdir(), `rollout-test-ca-${process.pid}.pem`);
process.env.LIVE_CHECK_CA_FILE = CA_FILE;

const USER = "deployer";
const PASSWORD_1 = "rollout-password-one-0123";
const PASSWORD_2 = "rollout-password-two-4567";
let kube: KubeTarget;
let registry: TestRegistry;
let w: Awaited<ReturnType<typeof registryTeam>>;
/** Deleted afterwards on a real cluster (TEST_KUBECONFIG). */
const namespaces: string[] = [];

const swarmCalls: { args: string[]; stdin?: string }[] = [];
const runner: CommandRunner = async (_cmd, args, opts) => {
  swarmCalls.push({ args: args.slice(2), stdin: opts.stdin });
  return { code: 0, stdout: "", stderr: "" };
};
const deps = (extra: { concurrency?: number } = {}) => ({ runner, kube: (src: KubeSource) => kubeClients(src, { timeoutMs: 5000 }), ...extra });

beforeAll(async () => {
  [kube, registry] = await Promise.all([startKubeTarget(), startTestRegistry({ users: { [USER]: PASSWORD_1 } })]);
  await Promise.all([registry.pushImage("team/app", "1.0"), registry.pushImage("team/api", "1.0")]);
  await copyFile(registry.caFile, CA_FILE);
  w = await registryTeam();
}, 120_000);

afterAll(async () => {
  await Promise.all([kube?.close(namespaces), registry?.stop()]);
});

const slug = (name: string) => `ro-${name}-${Math.random().toString(36).slice(2, 7)}`;

async function environment(name: string, orchestrator: "kubernetes" | "swarm" | "compose") {
  const envSlug = slug(name);
  const r = await environmentActions.create(w.owner.session, {
    teamSlug: w.teamSlug,
    name,
    slug: envSlug,
    orchestrator,
    ...(orchestrator === "kubernetes" ? { kubeconfig: kube.kubeconfigYaml() } : { dockerHost: "unix:///var/run/docker.sock" }),
  });
  if (!r.ok) throw new Error(JSON.stringify(r));
  namespaces.push(`env-${envSlug}`);
  return { id: r.data.environmentId, namespace: `env-${envSlug}` };
}

async function container(env: { id: string }, registryId: string, image: string) {
  const r = await containerActions.create(w.creator.session, { teamSlug: w.teamSlug, environmentId: env.id, name: "app", registryId, imageName: `${registry.host}/${image}`, imageTag: "1.0", replicas: 1, port: null });
  if (!r.ok) throw new Error(JSON.stringify(r));
  return r.data.containerId;
}

async function customRegistry(name: string) {
  const r = await registryActions.create(w.creator.session, { teamSlug: w.teamSlug, name, type: "Custom", credentials: { url: registry.url, username: USER, password: PASSWORD_1 } });
  if (!r.ok) throw new Error(JSON.stringify(r));
  return r.data.registryId;
}

/** skopeo with the Secret's own .dockerconfigjson as authfile: what a kubelet would pull with. */
function pullsWith(secret: { data: Record<string, string> }) {
  return registry.pullsWithSecret(`${registry.host}/team/app:1.0`, secret.data[".dockerconfigjson"]!);
}

// Fault injection and added latency need the test server.
describe.skipIf(realCluster)("apply a rotation to every environment", () => {
  it("rewrites every Secret and Swarm service with progress as it goes, reports the one that failed and why, then probes every image in use", async () => {
    const registryId = await customRegistry("rollout");
    const envs = { a: await environment("a-prod", "kubernetes"), b: await environment("b-stage", "kubernetes"), c: await environment("c-dev", "kubernetes") };
    const swarm = await environment("d-swarm", "swarm");
    const compose = await environment("e-compose", "compose");
    await container(envs.a, registryId, "team/app");
    await container(envs.b, registryId, "team/app");
    await container(envs.c, registryId, "team/api");
    const swarmContainer = await container(swarm, registryId, "team/app");
    await container(compose, registryId, "team/app");
    const team = w.owner.team;

    // Nothing deployed yet: every Kubernetes environment and the Swarm service hold no credentials.
    let view = await rolloutOf(team.id, registryId);
    expect(view).toMatchObject({ credentialVersion: 1, total: 4, composeEnvironments: 1, imagesInUse: 2, running: false, lastApply: null });
    expect(view.stale.map((s) => [s.name, s.heldVersion])).toEqual([["a-prod", null], ["b-stage", null], ["c-dev", null], ["d-swarm", null]]);
    // The Swarm service was deployed with version 1 (a deploy records it): it holds version 1.
    await db().insert(deployments).values({ id: newId("dep"), teamId: team.id, containerId: swarmContainer, action: "deploy", image: `${registry.host}/team/app:1.0`, registryId, credentialVersion: 1, replicas: 1, status: "succeeded" });
    expect((await rolloutOf(team.id, registryId)).stale.map((s) => s.name)).toEqual(["a-prod", "b-stage", "c-dev"]);

    // First apply at version 1: c-dev's API server fails once.
    kube.server!.failNext((req) => req.path.includes(`/namespaces/${envs.c.namespace}/secrets`), { status: 503, reason: "ServiceUnavailable", message: "the API server is overloaded" });
    const first = await applyRotation(team, w.creator.user, await loadRow(team.id, registryId), deps());
    expect(first.apply).toMatchObject({ credentialVersion: 1, total: 4, done: 3, failed: [{ where: expect.stringMatching(/^c-dev \(env-ro-c-dev-/), message: expect.stringContaining("overloaded") }] });
    expect(first.probe).toMatchObject({ credentialVersion: 1, total: 2, passed: 2 });
    expect((await rolloutOf(team.id, registryId)).stale.map((s) => [s.name, s.heldVersion])).toEqual([["c-dev", null]]);

    // The registry's password changes, and the team rotates it in the dashboard: version 2.
    await registry.setUser(USER, PASSWORD_2);
    expect(await registryActions.update(w.creator.session, { teamSlug: w.teamSlug, registryId, credentials: { password: PASSWORD_2 } })).toMatchObject({ ok: true, data: { credentialVersion: 2 } });
    view = await rolloutOf(team.id, registryId);
    expect(view.stale.map((s) => [s.name, s.heldVersion])).toEqual([["a-prod", 1], ["b-stage", 1], ["c-dev", null], ["d-swarm", 1]]);
    const secretName = `custom-${registryId}-creds`;
    const nsA = envs.a.namespace;
    const before = await kube.get("secrets", nsA, secretName);
    expect(await pullsWith(before)).toBe(false);

    // Apply now, one environment at a time with 40 ms per API request, watching progress as the page does.
    kube.server!.setLatency(40);
    swarmCalls.length = 0;
    const seen: number[] = [];
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        const v = await rolloutOf(team.id, registryId);
        if (v.running && v.lastApply) seen.push(v.lastApply.done + v.lastApply.failed.length);
        await new Promise((resolve) => setTimeout(resolve, 15));
      }
    })();
    const second = await applyRotation(team, w.admin.user, await loadRow(team.id, registryId), deps({ concurrency: 1 }));
    watching = false;
    await watcher;
    kube.server!.setLatency(0);
    // Progress was recorded as it went: intermediate counts, never going back.
    expect(seen.some((n) => n > 0 && n < 4)).toBe(true);
    expect(seen).toEqual([...seen].sort((x, y) => x - y));

    expect(second.apply).toMatchObject({ credentialVersion: 2, total: 4, done: 4, failed: [], finishedAt: expect.any(String) });
    expect(second.probe).toMatchObject({ credentialVersion: 2, total: 2, passed: 2, results: [{ ok: true }, { ok: true }] });
    const after = await kube.get("secrets", nsA, secretName);
    expect(after.metadata.annotations["dockyard.dev/credential-version"]).toBe("2");
    expect(await pullsWith(after)).toBe(true);
    // The Swarm service: a fresh login on the image's host (password on stdin), then an update that changes nothing else.
    expect(swarmCalls.map((c) => c.args)).toEqual([
      ["login", "--username", USER, "--password-stdin", registry.host],
      ["service", "update", "--with-registry-auth", "--detach", expect.stringMatching(/^ro-d-swarm-\w+_app$/)],
    ]);
    expect(swarmCalls[0]!.stdin).toBe(PASSWORD_2);
    const places = await db().select().from(pullSecrets).where(eq(pullSecrets.registryId, registryId));
    expect(places.map((p) => [p.orchestrator, p.credentialVersion]).sort()).toEqual([["kubernetes", 2], ["kubernetes", 2], ["kubernetes", 2], ["swarm", 2]]);
    view = await rolloutOf(team.id, registryId);
    expect(view).toMatchObject({ stale: [], running: false, lastApply: { done: 4 }, lastProbe: { passed: 2, total: 2 } });

    const [row] = await db().select().from(registries).where(eq(registries.id, registryId));
    expect(JSON.stringify([row!.lastApply, row!.lastProbe])).not.toContain(PASSWORD_2);
    const audit = await db().select().from(auditEvents).where(and(eq(auditEvents.registryId, registryId), eq(auditEvents.action, "registry.applied")));
    expect(audit.map((a) => a.details)).toEqual([
      { credentialVersion: 1, total: 4, done: 3, failed: [expect.stringMatching(/^c-dev/)], probe: { passed: 2, total: 2 } },
      { credentialVersion: 2, total: 4, done: 4, failed: [], probe: { passed: 2, total: 2 } },
    ]);
  });

  it("runs once at a time per registry: a second apply while one runs is refused with its progress", async () => {
    const registryId = await customRegistry("one-at-a-time");
    await container(await environment("solo", "kubernetes"), registryId, "team/app");
    kube.server!.setLatency(150);
    try {
      const reg = await loadRow(w.owner.team.id, registryId);
      const [x, y] = await Promise.allSettled([
        applyRotation(w.owner.team, w.owner.user, reg, deps()),
        new Promise((resolve) => setTimeout(resolve, 60)).then(() => applyRotation(w.owner.team, w.owner.user, reg, deps())),
      ]);
      expect(x).toMatchObject({ status: "fulfilled", value: { apply: { total: 1, done: 1 } } });
      expect(y).toMatchObject({ status: "rejected", reason: { code: "conflict", message: expect.stringMatching(/^An apply of this registry is already running \(0 of 1 environments done\)/) } });
    } finally {
      kube.server!.setLatency(0);
    }
    // Once finished, it may run again.
    expect((await applyRotation(w.owner.team, w.owner.user, await loadRow(w.owner.team.id, registryId), deps())).apply).toMatchObject({ done: 1 });
  });
});

describe.skipIf(realCluster)("apply after the environment changed", () => {
  it("an edited kubeconfig is used by the next apply: the Secret goes to the new cluster, nothing more to the old one", async () => {
    const moved = await startKubeServer();
    try {
      await registry.setUser(USER, PASSWORD_1);
      const registryId = await customRegistry("moved");
      const env = await environment("moved", "kubernetes");
      await container(env, registryId, "team/app");
      const secretName = `custom-${registryId}-creds`;
      const apply = async () => (await applyRotation(w.owner.team, w.creator.user, await loadRow(w.owner.team.id, registryId), deps())).apply;
      const toOld = () => kube.server!.requests.filter((r) => r.path.includes(`/namespaces/${env.namespace}`)).length;

      // The first apply reads and decrypts the saved kubeconfig, which stays cached.
      expect(await apply()).toMatchObject({ done: 1, failed: [] });
      expect(await kube.get("secrets", env.namespace, secretName)).toBeDefined();
      const before = toOld();

      // Rotated to another cluster (another API server and token) through the edit form.
      const edited = await environmentActions.update(w.owner.session, { teamSlug: w.teamSlug, environmentId: env.id, name: "moved", orchestrator: "kubernetes", kubeconfig: moved.kubeconfigYaml() });
      expect(edited).toMatchObject({ ok: true, data: { changed: expect.arrayContaining(["kubeconfig"]) } });
      expect(await apply()).toMatchObject({ done: 1, failed: [] });
      expect(moved.get("secrets", env.namespace, secretName)).toMatchObject({ metadata: { name: secretName } });
      expect(toOld()).toBe(before);
    } finally {
      await moved.close();
    }
  });
});

describe("access: the same rule as updating the registry", () => {
  it("apply: anonymous refused, outsider not found, a member who did not add it forbidden; its creator and an admin may", async () => {
    await registry.setUser(USER, PASSWORD_1);
    const registryId = await customRegistry("access");
    await container(await environment("access", "kubernetes"), registryId, "team/app");
    const call = (session: { userId: string } | null) => registryActions.apply(session, { teamSlug: w.teamSlug, registryId });
    expect(await call(null)).toMatchObject({ ok: false, code: "unauthenticated" });
    expect(await call(w.outsider.session)).toMatchObject({ ok: false, code: "not_found" });
    expect(await call(w.member.session)).toMatchObject({ ok: false, code: "forbidden" });
    // Through the action with the server's own parts: the kube test server, the registry's CA from LIVE_CHECK_CA_FILE.
    expect(await call(w.admin.session)).toMatchObject({ ok: true, data: { apply: { total: 1, done: 1, failed: [] }, probe: { total: 1, passed: 1 } } });
    expect(await call(w.creator.session)).toMatchObject({ ok: true, data: { apply: { done: 1 } } });
    // Another team's registry id is "not found", not "forbidden".
    expect(await registryActions.apply(w.outsider.session, { teamSlug: w.outsider.team.slug, registryId })).toMatchObject({ ok: false, code: "not_found" });
  });

  it("probe: any member probes the saved credentials (recorded); only an updater probes typed ones, merged onto the saved secret, and nothing is recorded", async () => {
    await registry.setUser(USER, PASSWORD_1);
    const registryId = await customRegistry("probe");
    await container(await environment("probe", "kubernetes"), registryId, "team/app");
    const probe = (session: { userId: string } | null, credentials?: Record<string, string>) => registryActions.probe(session, { teamSlug: w.teamSlug, registryId, ...(credentials ? { credentials } : {}) });
    expect(await probe(null)).toMatchObject({ ok: false, code: "unauthenticated" });
    expect(await probe(w.outsider.session)).toMatchObject({ ok: false, code: "not_found" });
    expect(await probe(w.member.session)).toMatchObject({ ok: true, data: { total: 1, passed: 1 } });
    const [recorded] = await db().select().from(registries).where(eq(registries.id, registryId));
    expect(recorded!.lastProbe).toMatchObject({ credentialVersion: 1, passed: 1, total: 1 });

    expect(await probe(w.member.session, { password: "typed-password-0123456" })).toMatchObject({ ok: false, code: "forbidden" });
    // A wrong new password: the warning the rotate form shows before saving.
    expect(await probe(w.creator.session, { password: "typed-password-0123456" })).toMatchObject({
      ok: true,
      data: { total: 1, passed: 0, results: [{ image: `${registry.host}/team/app:1.0`, ok: false, reason: "credentials_refused", label: "credentials refused" }] },
    });
    // An empty secret keeps the saved one, as in Test Connection.
    expect(await probe(w.creator.session, { url: registry.url, username: USER, password: "" })).toMatchObject({ ok: true, data: { passed: 1 } });
    // A new address needs the secret typed again: a saved one is only sent where it was saved for.
    expect(await probe(w.creator.session, { url: "https://elsewhere.example.com", username: USER, password: "" })).toMatchObject({
      ok: true,
      data: { total: 0, fieldErrors: { "credentials.password": [expect.stringContaining("Enter the password again")] } },
    });
    const [after] = await db().select().from(registries).where(eq(registries.id, registryId));
    expect(after!.lastProbe).toEqual(recorded!.lastProbe);
  });
});
