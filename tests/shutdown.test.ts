import "./support/allow-loopback";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { db } from "@/db";
import { deployments } from "@/db/schema";
import { containerActions } from "@/lib/containers/actions";
import { startDeployment, stopDeploymentRuns } from "@/lib/containers/deployments";
import { kubeClients } from "@/lib/deploy/kubernetes";
import type { KubeSource } from "@/lib/deploy";
import { environmentActions } from "@/lib/environments/actions";
import { newUser } from "./fixtures";
import { startKubeServer, type KubeServer } from "./support/kube-server";

/**
 * SIGTERM with a deploy in flight (lib/lifecycle.ts): the deploy gets what is left of the
 * shutdown deadline, then is recorded as failed at once rather than a minute later by the reaper.
 */

let kube: KubeServer;
beforeAll(async () => {
  kube = await startKubeServer();
});
afterAll(async () => {
  await kube?.close();
});

describe("stopping deploy runs at shutdown", () => {
  it("records a deploy still running at the deadline as failed, and leaves nothing running", async () => {
    const owner = await newUser("shutdown");
    const teamSlug = owner.team.slug;
    const slug = `stop-${Date.now().toString(36)}`;
    const env = await environmentActions.create(owner.session, { teamSlug, name: slug, slug, orchestrator: "kubernetes", kubeconfig: kube.kubeconfigYaml() });
    if (!env.ok) throw new Error(JSON.stringify(env));
    const ctr = await containerActions.create(owner.session, { teamSlug, environmentId: env.data.environmentId, name: "web", imageName: "docker.io/library/nginx", imageTag: "1.27", replicas: 1, port: null });
    if (!ctr.ok) throw new Error(JSON.stringify(ctr));
    // The workload write never gets an answer (and the client waits longer than this test).
    const write = (r: { method: string; path: string }) => r.method === "POST" && r.path === `/apis/apps/v1/namespaces/env-${slug}/deployments`;
    kube.failNext(write, "hang");
    const { deploymentId } = await startDeployment(owner.team, owner.user, { containerId: ctr.data.containerId, action: "deploy" }, { kube: (src: KubeSource) => kubeClients(src, { timeoutMs: 30_000 }) });
    await expect.poll(() => kube.requests.some((r) => write(r) && r.status === 0)).toBe(true);

    const started = Date.now();
    expect(await stopDeploymentRuns(300)).toBe(1);
    expect(Date.now() - started).toBeLessThan(2000);
    const [row] = await db().select().from(deployments).where(eq(deployments.id, deploymentId));
    expect(row).toMatchObject({ status: "failed", outcome: "failed", message: expect.stringContaining("shut down before it finished"), finishedAt: expect.any(Date) });
  });
});
