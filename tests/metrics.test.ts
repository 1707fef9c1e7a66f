import "./support/allow-loopback";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { db } from "@/db";
import { pullHealth } from "@/db/schema";
import { environmentActions } from "@/lib/environments/actions";
import { registryActions } from "@/lib/registries/actions";
import { newUser } from "./fixtures";
import { startKubeServer, type KubeServer } from "./support/kube-server";

/** GET /metrics: behind METRICS_TOKEN, and what it reads from the database (pull health by registry type). */

const TOKEN = "metrics-test-token-0123456789";
const globals = globalThis as { __appEnv?: unknown };
let kube: KubeServer;

beforeAll(async () => {
  kube = await startKubeServer();
});
afterAll(async () => {
  await kube?.close();
});

async function get(authorization?: string) {
  const { GET } = await import("@/app/metrics/route");
  return GET(new Request("http://localhost/metrics", { headers: authorization ? { authorization } : {} }));
}

describe("GET /metrics", () => {
  it("does not exist without METRICS_TOKEN, and wants exactly that bearer token with it", async () => {
    vi.stubEnv("METRICS_TOKEN", "");
    globals.__appEnv = undefined;
    expect((await get(`Bearer ${TOKEN}`)).status).toBe(404);

    vi.stubEnv("METRICS_TOKEN", TOKEN);
    globals.__appEnv = undefined;
    expect((await get()).status).toBe(401);
    const wrong = await get(`Bearer ${TOKEN}x`);
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get("www-authenticate")).toBe('Bearer realm="metrics"');
    const res = await get(`Bearer ${TOKEN}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain/);
    expect(await res.text()).toMatch(/^# HELP dockyard_/m);
  });

  it("counts registry and environment pairs failing now by registry type", async () => {
    vi.stubEnv("METRICS_TOKEN", TOKEN);
    globals.__appEnv = undefined;
    const owner = await newUser("metrics");
    const teamSlug = owner.team.slug;
    const reg = await registryActions.create(owner.session, { teamSlug, name: "quay", type: "Quay", credentials: { username: "robot+ci", token: "quay-robot-token-0123456789" } });
    const env = await environmentActions.create(owner.session, { teamSlug, name: "m", slug: `m-${Date.now().toString(36)}`, orchestrator: "kubernetes", kubeconfig: kube.kubeconfigYaml() });
    if (!reg.ok || !env.ok) throw new Error(JSON.stringify([reg, env]));
    const failing = async () => (await (await get(`Bearer ${TOKEN}`)).text()).match(/^dockyard_pull_health_failing\{registry_type="Quay"\} (\d+)$/m)?.[1];
    const before = Number(await failing());
    await db().insert(pullHealth).values({ registryId: reg.data.registryId, environmentId: env.data.environmentId, teamId: owner.team.id, status: "failing", failingContainers: ["app"] });
    expect(Number(await failing())).toBe(before + 1);
  });
});
