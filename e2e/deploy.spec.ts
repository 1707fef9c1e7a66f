import { appendFile, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { startKubeServer, type KubeServer } from "../tests/support/kube-server";
import { startKubelet, type KubeletSimulator } from "../tests/support/kubelet";
import { startTestRegistry, type TestRegistry } from "../tests/support/test-registry";
import { choose, newAccount, signUp, teamSlugOf } from "./helpers";

/**
 * The whole path as a user walks it: a Kubernetes environment (the test API server), a container
 * from a private Custom registry (the real test registry), preview, deploy, rotate, restart.
 */

let kube: KubeServer;
let kubelet: KubeletSimulator;
let registry: TestRegistry;
const USER = "deployer";
const PASSWORD_1 = "first-e2e-password-012345";
const PASSWORD_2 = "second-e2e-password-98765";

test.beforeAll(async () => {
  [kube, registry] = await Promise.all([startKubeServer(), startTestRegistry({ users: { [USER]: PASSWORD_1 } })]);
  // The node pulls the private image from the test registry; nginx it holds already (no internet here).
  kubelet = startKubelet(kube, { images: ["docker.io/library/nginx:1.27"] });
  await registry.pushImage("team/app", "1.0");
  // The rotate form probes the new credentials before saving; the server trusts the CAs in this file (e2e/serve.mjs).
  await appendFile(path.join(tmpdir(), "dockyard-e2e-live-check-ca.pem"), `\n${await readFile(registry.caFile, "utf8")}`);
});

test.afterAll(async () => {
  await kubelet?.stop();
  await Promise.all([kube?.close(), registry?.stop()]);
});

/** skopeo with the Secret's own .dockerconfigjson as authfile. */
async function pulls(secret: { data: Record<string, string> }) {
  const dir = await mkdtemp(path.join(tmpdir(), "e2e-proof-"));
  const file = path.join(dir, "auth.json");
  await writeFile(file, Buffer.from(secret.data[".dockerconfigjson"]!, "base64"), { mode: 0o600 });
  return (await registry.inspectWithAuthfile(`${registry.host}/team/app:1.0`, file)).ok;
}

test("environment, private container, preview, deploy, rotate, restart; a public image needs no Secret", async ({ page }) => {
  test.setTimeout(120_000);
  const responses: string[] = [];
  page.on("response", async (r) => {
    if (r.request().method() === "POST" || r.url().includes("/t/")) responses.push(await r.text().catch(() => ""));
  });
  await signUp(page, newAccount("deployer"));
  const teamSlug = teamSlugOf(page);

  // A private registry: the real test registry, with htpasswd credentials.
  await page.goto(`/t/${teamSlug}/settings/registries/new`);
  await choose(page, "Registry type", "Custom / Self-hosted");
  await page.getByLabel("Name", { exact: true }).fill("Local registry");
  await page.getByLabel("Registry URL").fill(registry.url);
  await page.getByLabel("Username", { exact: true }).fill(USER);
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD_1);
  await page.getByRole("button", { name: "Save registry" }).click();
  await expect(page.getByRole("heading", { name: "Local registry" })).toBeVisible();
  const registryUrl = page.url();

  // A Kubernetes environment from a pasted kubeconfig.
  const slug = `e2e-${Math.random().toString(36).slice(2, 8)}`;
  await page.goto(`/t/${teamSlug}/environments`);
  await page.getByRole("link", { name: "Add environment" }).first().click();
  await page.getByLabel("Name", { exact: true }).fill(slug);
  await expect(page.getByText(`Kubernetes namespace: env-${slug}`)).toBeVisible();
  await page.getByLabel("Kubeconfig").fill(kube.kubeconfigYaml());
  await page.getByRole("button", { name: "Add environment" }).click();
  await expect(page.getByRole("heading", { name: slug })).toBeVisible();
  await page.getByRole("button", { name: "Test connection" }).click();
  await expect(page.getByText(/Connected: \d+ namespaces? visible/)).toBeVisible();

  // A container from the private registry; the form shows the normalised reference.
  await page.getByRole("link", { name: "Add container" }).first().click();
  await page.getByLabel("Name", { exact: true }).fill("app");
  await choose(page, "Registry", /Local registry/);
  await page.getByLabel("Image", { exact: true }).fill("docker.io/acme/app");
  await page.getByLabel("Tag or digest").fill("1.0");
  await expect(page.getByText(/This image is on docker.io, but the registry "Local registry" serves/)).toBeVisible();
  await page.getByLabel("Image", { exact: true }).fill(`${registry.host}/team/app`);
  await expect(page.getByTestId("normalised-image")).toHaveText(`${registry.host}/team/app:1.0`);
  await page.getByRole("button", { name: "Add container" }).click();
  await expect(page.getByRole("heading", { name: "app" })).toBeVisible();

  // Preview: the Secret with its payload redacted, and the Deployment naming it.
  const preview = page.getByTestId("preview");
  await expect(preview).toContainText("kubernetes.io/dockerconfigjson");
  await expect(preview).toContainText(`<redacted: ${registry.host}>`);
  await expect(preview).toContainText("imagePullSecrets");

  await page.getByRole("button", { name: "Deploy", exact: true }).click();
  await expect(page.getByText("Deploy rolled out (1/1 ready)").first()).toBeVisible();
  await expect(page.getByTestId("deployments")).toContainText("rolled out");
  const secrets = kube.list("secrets", `env-${slug}`);
  expect(secrets).toHaveLength(1);
  const secretName = secrets[0].metadata.name as string;
  expect(kube.get("deployments", `env-${slug}`, "app").spec.template.spec.imagePullSecrets).toEqual([{ name: secretName }]);
  expect(await pulls(secrets[0])).toBe(true);
  const containerUrl = page.url();

  // Rotate: the registry's password changes; nothing is redeployed, the page says so.
  await registry.setUser(USER, PASSWORD_2);
  await page.goto(registryUrl);
  await page.getByRole("link", { name: "Edit / rotate" }).click();
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD_2);
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByText(/version 2/).first()).toBeVisible();
  expect(kube.get("secrets", `env-${slug}`, secretName).metadata.annotations["dockyard.dev/credential-version"]).toBe("1");
  expect(await pulls(kube.get("secrets", `env-${slug}`, secretName))).toBe(false);

  await page.goto(containerUrl);
  await expect(page.getByTestId("rotated-badge")).toBeVisible();
  await page.getByRole("button", { name: "Restart" }).click();
  await expect(page.getByText("Restart rolled out (1/1 ready)").first()).toBeVisible();
  await expect(page.getByTestId("rotated-badge")).toHaveCount(0);
  const refreshed = kube.get("secrets", `env-${slug}`, secretName);
  expect(refreshed.metadata.annotations["dockyard.dev/credential-version"]).toBe("2");
  expect(await pulls(refreshed)).toBe(true);

  // A public image: no Secret, no imagePullSecrets.
  await page.goto(`/t/${teamSlug}/environments`);
  await page.getByRole("link", { name: slug }).click();
  await page.getByRole("link", { name: "Add container" }).first().click();
  await page.getByLabel("Name", { exact: true }).fill("web");
  await page.getByLabel("Image", { exact: true }).fill("nginx");
  await page.getByLabel("Tag or digest").fill("1.27");
  await expect(page.getByTestId("normalised-image")).toHaveText("docker.io/library/nginx:1.27");
  await page.getByRole("button", { name: "Add container" }).click();
  await expect(page.getByTestId("preview")).not.toContainText("imagePullSecrets");
  await page.getByRole("button", { name: "Deploy", exact: true }).click();
  await expect(page.getByText("Deploy rolled out (1/1 ready)").first()).toBeVisible();
  expect(kube.list("secrets", `env-${slug}`)).toHaveLength(1);
  expect(kube.get("deployments", `env-${slug}`, "web").spec.template.spec.imagePullSecrets).toBeUndefined();

  // Neither password ever reached the browser.
  for (const body of responses) {
    expect(body).not.toContain(PASSWORD_1);
    expect(body).not.toContain(PASSWORD_2);
  }
});
