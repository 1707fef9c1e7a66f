import "./support/allow-loopback";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { db } from "@/db";
import { pullSecrets, registries } from "@/db/schema";
import { environmentActions } from "@/lib/environments/actions";
import { containerActions } from "@/lib/containers/actions";
import { runDeployment } from "@/lib/containers/deployments";
import { refreshExpiringCredentials } from "@/lib/containers/refresh-job";
import { registryActions } from "@/lib/registries/actions";
import { kubeClients } from "@/lib/deploy/kubernetes";
import type { KubeSource } from "@/lib/deploy";
import type { CommandRunner } from "@/lib/deploy/command";
import { EXAMPLE_CREDENTIALS } from "@/lib/registries/examples";
import { newUser } from "./fixtures";
import { startEcrServer, type EcrServer } from "./support/ecr-server";
import { startKubeServer, type KubeServer } from "./support/kube-server";
import { startKubelet, type KubeletSimulator } from "./support/kubelet";
import { startTestRegistry, type TestRegistry } from "./support/test-registry";

/**
 * The ECR refresh job: tokens that expire soon are exchanged again and written to every
 * platform-managed Secret and Swarm service that holds them; one runner at a time.
 */

const { accessKeyId = "", secretAccessKey = "" } = EXAMPLE_CREDENTIALS.ECR;
let ecr: EcrServer;
let registry: TestRegistry;
let kube: KubeServer;
let kubelet: KubeletSimulator;
let owner: Awaited<ReturnType<typeof newUser>>;
const swarmCalls: { args: string[]; stdin?: string }[] = [];
const ECR_IMAGE = "123456789012.dkr.ecr.eu-central-1.amazonaws.com/team/app:1.0";
/** A Swarm manager whose one task runs: the deploy reads the service and its tasks back. */
function swarmAnswer(args: string[]): string {
  if (args[0] === "service" && args[1] === "inspect" && args[3] === "{{json .}}") return JSON.stringify({ Spec: { Mode: { Replicated: { Replicas: 1 } }, TaskTemplate: { ContainerSpec: { Image: ECR_IMAGE } } } });
  if (args[0] === "service" && args[1] === "ps") return JSON.stringify({ Name: "app.1", DesiredState: "Running", CurrentState: "Running 1 second ago", Error: "", Image: ECR_IMAGE });
  return "";
}
const runner: CommandRunner = async (_cmd, args, opts) => {
  swarmCalls.push({ args: args.slice(2), stdin: opts.stdin });
  return { code: 0, stdout: swarmAnswer(args.slice(2)), stderr: "" };
};
const deps = () => ({ ecrEndpoint: ecr.url, runner, kube: (src: KubeSource) => kubeClients(src, { timeoutMs: 2000 }) });

beforeAll(async () => {
  [registry, kube] = await Promise.all([startTestRegistry(), startKubeServer()]);
  // The image's ECR host is not a real one: the node holds the image already.
  kubelet = startKubelet(kube, { images: [ECR_IMAGE] });
  await registry.pushImage("team/app", "1.0");
  // Tokens that live one hour: inside the job's two-hour horizon from the start.
  ecr = await startEcrServer({ accessKeyId, secretAccessKey, proxyEndpoint: registry.url, tokenTtlMs: 3600_000, issuePassword: (p) => registry.setUser("AWS", p) });
  owner = await newUser("refresh");
}, 120_000);

afterAll(async () => {
  await kubelet?.stop();
  await Promise.all([ecr?.close(), registry?.stop(), kube?.close()]);
});

function pulls(secret: { data: Record<string, string> }) {
  return registry.pullsWithSecret(`${registry.host}/team/app:1.0`, secret.data[".dockerconfigjson"]!);
}

describe("ECR refresh job", () => {
  it("renews expiring tokens in Secrets and Swarm services, records it, and runs once at a time", async () => {
    const teamSlug = owner.team.slug;
    const reg = await registryActions.create(owner.session, { teamSlug, name: "aws", type: "ECR", credentials: { accessKeyId, secretAccessKey, region: "eu-central-1" } });
    const k8s = await environmentActions.create(owner.session, { teamSlug, name: "k8s", slug: `rj-${Date.now()}`, orchestrator: "kubernetes", kubeconfig: kube.kubeconfigYaml() });
    const swarm = await environmentActions.create(owner.session, { teamSlug, name: "swarm", slug: `rjs-${Date.now()}`, orchestrator: "swarm", dockerHost: "unix:///var/run/docker.sock" });
    if (!reg.ok || !k8s.ok || !swarm.ok) throw new Error("setup");
    const image = { registryId: reg.data.registryId, imageName: "123456789012.dkr.ecr.eu-central-1.amazonaws.com/team/app", imageTag: "1.0", replicas: 1, port: null };
    // Swarm first: the fake ECR keeps only the newest token valid, and the Secret is checked next.
    const containerIds: string[] = [];
    for (const environmentId of [swarm.data.environmentId, k8s.data.environmentId]) {
      const c = await containerActions.create(owner.session, { teamSlug, environmentId, name: "app", ...image });
      if (!c.ok) throw new Error(JSON.stringify(c));
      containerIds.push(c.data.containerId);
      expect(await runDeployment(owner.team, owner.user, { containerId: c.data.containerId, action: "deploy" }, deps())).toMatchObject({ status: "succeeded" });
    }
    const places = await db().select().from(pullSecrets).where(eq(pullSecrets.registryId, reg.data.registryId));
    expect(places.map((p) => p.orchestrator).sort()).toEqual(["kubernetes", "swarm"]);
    const secretName = `ecr-${reg.data.registryId}-creds`;
    const namespace = places.find((p) => p.orchestrator === "kubernetes")!.namespace;
    const before = kube.get("secrets", namespace, secretName);
    expect(await pulls(before)).toBe(true);

    swarmCalls.length = 0;
    const callsBefore = ecr.calls.length;
    const [first, second] = await Promise.all([refreshExpiringCredentials(deps()), refreshExpiringCredentials(deps())]);
    // One runner: the other call found the lock held and did nothing.
    expect([first.ran, second.ran].sort()).toEqual([false, true]);
    expect(first.ran ? first : second).toMatchObject({ registries: 1, refreshed: 2, failed: 0 });
    expect(ecr.calls.length - callsBefore).toBe(1);

    const after = kube.get("secrets", namespace, secretName);
    expect(after.data).not.toEqual(before.data);
    expect(await pulls(before)).toBe(false);
    expect(await pulls(after)).toBe(true);
    const swarmPlace = places.find((p) => p.orchestrator === "swarm")!;
    // The service was logged in to the image's own host, and is renewed on it.
    expect(swarmPlace.namespace).toBe("123456789012.dkr.ecr.eu-central-1.amazonaws.com");
    expect(swarmCalls[0]!.args).toEqual(["login", "--username", "AWS", "--password-stdin", swarmPlace.namespace]);
    expect(swarmCalls[1]!.args).toEqual(["service", "update", "--with-registry-auth", "--detach", swarmPlace.secretName]);
    expect(swarmCalls[0]!.stdin).toBeTruthy();

    const [row] = await db().select().from(registries).where(eq(registries.id, reg.data.registryId));
    expect(row!.lastRefresh).toMatchObject({ ok: true, refreshed: 2, failed: [] });
    const renewed = await db().select().from(pullSecrets).where(eq(pullSecrets.registryId, reg.data.registryId));
    for (const p of renewed) expect(p.expiresAt!.getTime()).toBeGreaterThan(places[0]!.expiresAt!.getTime());

    // A failure is recorded for the registry page.
    kube.failNext((req) => req.method === "PUT" && req.path.includes("/secrets/"), { status: 503, reason: "ServiceUnavailable", message: "the API server is overloaded" });
    expect(await refreshExpiringCredentials(deps())).toMatchObject({ ran: true, failed: 1 });
    const [failedRow] = await db().select().from(registries).where(eq(registries.id, reg.data.registryId));
    expect(failedRow!.lastRefresh).toMatchObject({ ok: false, failed: [{ where: namespace, message: expect.stringContaining("overloaded") }] });

    // Moved to another registry, the Swarm service no longer holds this token: nothing to renew there.
    expect(await containerActions.update(owner.session, { teamSlug, containerId: containerIds[0]!, registryId: "", imageName: "nginx", imageTag: "1.27", replicas: 1, port: null })).toMatchObject({ ok: true });
    const left = await db().select().from(pullSecrets).where(eq(pullSecrets.registryId, reg.data.registryId));
    expect(left.map((p) => p.orchestrator)).toEqual(["kubernetes"]);
  });

  it("leaves credentials that are not about to expire alone", async () => {
    const run = await refreshExpiringCredentials({ ...deps(), now: new Date(Date.now() - 6 * 3600_000) });
    expect(run).toMatchObject({ ran: true, registries: 0 });
  });
});
