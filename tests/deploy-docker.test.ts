import "./support/allow-loopback";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { environmentActions } from "@/lib/environments/actions";
import { containerActions } from "@/lib/containers/actions";
import { runDeployment } from "@/lib/containers/deployments";
import { registryActions } from "@/lib/registries/actions";
import { newUser } from "./fixtures";
import { startTestRegistry, type TestRegistry } from "./support/test-registry";
import { startPodmanEngine, type PodmanEngine } from "./support/podman-engine";

/**
 * Compose and Swarm through the real Docker CLI and docker-compose against podman's
 * Docker-compatible engine: the engine itself logs in to and pulls from the real test registry.
 */

let registry: TestRegistry;
let engine: PodmanEngine;
let owner: Awaited<ReturnType<typeof newUser>>;
const USER = "compose-user";
const PASSWORD = "compose-password-0123456789";
const rand = () => Math.random().toString(36).slice(2, 8);

beforeAll(async () => {
  const started = await Promise.allSettled([startTestRegistry({ users: { [USER]: PASSWORD } }), startPodmanEngine()]);
  if (started[0].status === "fulfilled") registry = started[0].value;
  if (started[1].status === "fulfilled") engine = started[1].value;
  for (const s of started) if (s.status === "rejected") throw s.reason;
  await registry.pushImage("team/web", "2.0");
  owner = await newUser("docker");
}, 120_000);

afterAll(async () => {
  await Promise.all([registry?.stop(), engine?.stop()]);
});

async function setup(orchestrator: "compose" | "swarm", imageTag = "2.0") {
  const teamSlug = owner.team.slug;
  const name = `${orchestrator}-${rand()}`;
  const env = await environmentActions.create(owner.session, { teamSlug, name, slug: name, orchestrator, dockerHost: engine.dockerHost });
  const reg = await registryActions.create(owner.session, { teamSlug, name: `local ${rand()}`, type: "Custom", credentials: { url: registry.url, username: USER, password: PASSWORD } });
  if (!env.ok || !reg.ok) throw new Error(JSON.stringify([env, reg]));
  const ctr = await containerActions.create(owner.session, {
    teamSlug,
    environmentId: env.data.environmentId,
    name: "web",
    registryId: reg.data.registryId,
    imageName: `${registry.host}/team/web`,
    imageTag,
    replicas: 1,
    port: null,
  });
  if (!ctr.ok) throw new Error(JSON.stringify(ctr));
  return { containerId: ctr.data.containerId, registryId: reg.data.registryId };
}

const deploy = (containerId: string) => runDeployment(owner.team, owner.user, { containerId, action: "deploy" });

async function logOf(deploymentId: string) {
  const { db } = await import("@/db");
  const { deployments } = await import("@/db/schema");
  const { eq } = await import("drizzle-orm");
  const [row] = await db().select().from(deployments).where(eq(deployments.id, deploymentId));
  return row!;
}

describe("Docker Compose through podman", () => {
  it("logs in and pulls with the saved credentials; refused once they are revoked in htpasswd", async () => {
    const { containerId } = await setup("compose");
    const first = await deploy(containerId);
    const record = await logOf(first.deploymentId);
    expect(record.log).toContain(`--password-stdin ${registry.host}: logged in`);
    expect(record.log).toContain(`docker-compose pull: done (${registry.host}/team/web:2.0)`);
    // Starting containers is not permitted in this sandbox; when it works, the deploy succeeds.
    if (first.status === "failed") expect(record.failedStep).toBe("compose up");
    expect(record.log).not.toContain(PASSWORD);

    await registry.removeUser(USER);
    try {
      const refused = await deploy(containerId);
      expect(refused).toMatchObject({ status: "failed" });
      expect((await logOf(refused.deploymentId)).failedStep).toBe(`docker login ${registry.host}`);
      expect(refused.message).toMatch(/unauthorized|401/i);
      expect(refused.message).not.toContain(PASSWORD);
    } finally {
      await registry.setUser(USER, PASSWORD);
    }
  }, 90_000);
});

describe("Docker Compose: the pull's outcome is the rollout's", () => {
  it("a tag the registry does not have: pull failed, not found, from the engine's own answer; nothing is started", async () => {
    const { containerId } = await setup("compose", "9.9");
    const outcome = await deploy(containerId);
    expect(outcome).toMatchObject({ status: "failed", outcome: "pull_failed", message: "pull failed: image or tag not found", pullFailure: { reason: "not_found", image: `${registry.host}/team/web:9.9` } });
    expect(outcome.pullFailure!.message).toContain("manifest unknown");
    const record = await logOf(outcome.deploymentId);
    expect(record.failedStep).toBe("workload");
    expect(record.steps.map((s) => [s.name, s.status])).toEqual([
      ["credentials", "done"],
      ["registry login", "done"],
      ["workload", "failed"],
      ["rollout", "pending"],
    ]);
    expect(record.steps[2]!.detail).toBe("pull failed: image or tag not found");
    expect(record.log).not.toContain("up: done");
    expect(JSON.stringify(record)).not.toContain(PASSWORD);
  }, 60_000);
});

describe("Docker Swarm: the login half, for real", () => {
  it("logs in through the engine, then reaches the service call (podman has no Swarm mode)", async () => {
    const { containerId } = await setup("swarm");
    const outcome = await deploy(containerId);
    const record = await logOf(outcome.deploymentId);
    expect(record.log).toContain(`--password-stdin ${registry.host}: logged in`);
    expect(outcome).toMatchObject({ status: "failed" });
    expect(record.failedStep).toBe("docker service create");
    expect(record.log).not.toContain(PASSWORD);
  }, 60_000);
});
