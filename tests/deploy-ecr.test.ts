import "./support/allow-loopback";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { db } from "@/db";
import { deployments } from "@/db/schema";
import { environmentActions } from "@/lib/environments/actions";
import { containerActions } from "@/lib/containers/actions";
import { runDeployment } from "@/lib/containers/deployments";
import { registryActions } from "@/lib/registries/actions";
import { kubeClients } from "@/lib/deploy/kubernetes";
import type { KubeSource } from "@/lib/deploy";
import { EXAMPLE_CREDENTIALS } from "@/lib/registries/examples";
import { newUser } from "./fixtures";
import { startEcrServer, type EcrServer } from "./support/ecr-server";
import { startKubeServer, type KubeServer } from "./support/kube-server";
import { startKubelet, type KubeletSimulator } from "./support/kubelet";
import { startTestRegistry, type TestRegistry } from "./support/test-registry";

/**
 * ECR end to end: the real AWS SDK exchanges the saved key pair for a token at a fake ECR
 * (which checks the SigV4 signature and makes the token a real password of the test registry);
 * the pull secret the deploy writes must then let skopeo read the image.
 */

const { accessKeyId = "", secretAccessKey = "" } = EXAMPLE_CREDENTIALS.ECR;
let ecr: EcrServer;
let registry: TestRegistry;
let kube: KubeServer;
let kubelet: KubeletSimulator;
let owner: Awaited<ReturnType<typeof newUser>>;
let authDir: string;
const deps = () => ({ ecrEndpoint: ecr.url, kube: (src: KubeSource) => kubeClients(src, { timeoutMs: 2000 }) });
const ECR_IMAGE = "123456789012.dkr.ecr.eu-central-1.amazonaws.com/team/app";

beforeAll(async () => {
  [registry, kube] = await Promise.all([startTestRegistry(), startKubeServer()]);
  // The image's ECR host is not a real one: the node holds the image already.
  kubelet = startKubelet(kube, { images: [`${ECR_IMAGE}:1.0`] });
  await registry.pushImage("team/app", "1.0");
  // Each token ECR issues becomes the password of user AWS, replacing the previous one.
  ecr = await startEcrServer({ accessKeyId, secretAccessKey, proxyEndpoint: registry.url, issuePassword: (password) => registry.setUser("AWS", password) });
  owner = await newUser("ecr");
  authDir = await mkdtemp(path.join(tmpdir(), "ecr-proof-"));
}, 120_000);

afterAll(async () => {
  await kubelet?.stop();
  await Promise.all([ecr?.close(), registry?.stop(), kube?.close()]);
});

async function ecrContainer(secret = secretAccessKey) {
  const teamSlug = owner.team.slug;
  const slug = `ecr-${Math.random().toString(36).slice(2, 8)}`;
  const env = await environmentActions.create(owner.session, { teamSlug, name: slug, slug, orchestrator: "kubernetes", kubeconfig: kube.kubeconfigYaml() });
  const reg = await registryActions.create(owner.session, { teamSlug, name: `aws ${slug}`, type: "ECR", credentials: { accessKeyId, secretAccessKey: secret, region: "eu-central-1" } });
  if (!env.ok || !reg.ok) throw new Error(JSON.stringify([env, reg]));
  const ctr = await containerActions.create(owner.session, { teamSlug, environmentId: env.data.environmentId, name: "app", registryId: reg.data.registryId, imageName: ECR_IMAGE, imageTag: "1.0", replicas: 1, port: null });
  if (!ctr.ok) throw new Error(JSON.stringify(ctr));
  return { containerId: ctr.data.containerId, namespace: `env-${slug}`, secretName: `ecr-${reg.data.registryId}-creds` };
}

async function pullWith(secret: { data: Record<string, string> }) {
  const file = path.join(authDir, `auth-${Math.random().toString(36).slice(2)}.json`);
  await writeFile(file, Buffer.from(secret.data[".dockerconfigjson"]!, "base64"), { mode: 0o600 });
  return registry.inspectWithAuthfile(`${registry.host}/team/app:1.0`, file);
}

describe("ECR pull credentials", () => {
  it("exchanges the key pair for a token; the Secret (AWS + token, proxyEndpoint host) pulls, with its expiry recorded", async () => {
    const { containerId, namespace, secretName } = await ecrContainer();
    const outcome = await runDeployment(owner.team, owner.user, { containerId, action: "deploy" }, deps());
    expect(outcome).toMatchObject({ status: "succeeded" });
    const secret = kube.get("secrets", namespace, secretName);
    const config = JSON.parse(Buffer.from(secret.data[".dockerconfigjson"], "base64").toString());
    expect(Object.keys(config.auths)).toEqual([registry.host]);
    expect(config.auths[registry.host].username).toBe("AWS");
    expect(Date.parse(secret.metadata.annotations["dockyard.dev/credentials-expire-at"])).toBeGreaterThan(Date.now() + 11 * 3600_000);
    expect(await pullWith(secret)).toMatchObject({ ok: true });

    // The next pull exchanges a fresh token; the old Secret's token no longer works.
    expect(await runDeployment(owner.team, owner.user, { containerId, action: "restart" }, deps())).toMatchObject({ status: "succeeded" });
    const refreshed = kube.get("secrets", namespace, secretName);
    expect(refreshed.data).not.toEqual(secret.data);
    expect(await pullWith(secret)).toMatchObject({ ok: false });
    expect(await pullWith(refreshed)).toMatchObject({ ok: true });

    const [row] = await db().select().from(deployments).where(eq(deployments.id, outcome.deploymentId));
    expect(row!.log).toContain("token valid until");
    expect(row!.log).not.toContain(secretAccessKey);
  });

  it("a wrong secret key fails the deploy at the credentials step, in plain words, and writes nothing", async () => {
    const { containerId, namespace } = await ecrContainer("wJalrXUtnFEMI/K7MDENG/bPxRfiCYWRONGWRONG");
    const outcome = await runDeployment(owner.team, owner.user, { containerId, action: "deploy" }, deps());
    expect(outcome).toMatchObject({ status: "failed", message: "The secret access key does not belong to this access key ID." });
    const [row] = await db().select().from(deployments).where(eq(deployments.id, outcome.deploymentId));
    expect(row!.failedStep).toBe("registry credentials");
    expect(kube.list("secrets", namespace)).toEqual([]);
  });
});
