import { appendFile, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect, test, type Page } from "@playwright/test";
import { startKubeServer, type KubeServer } from "../tests/support/kube-server";
import { startTestRegistry, type TestRegistry } from "../tests/support/test-registry";
import { newAccount, signUp, teamSlugOf } from "./helpers";

/**
 * Rolling a rotation out as a user does: a registry used in two Kubernetes environments (the
 * test API server) whose Secrets were never written, "Apply to 2 environments now" with one
 * failing environment, the pull probe against the real test registry, the rotate form's warning
 * before saving wrong credentials, then a rotation applied everywhere.
 */

let kube: KubeServer;
let registry: TestRegistry;
const USER = "roller";
const PASSWORD_1 = "first-rollout-password-0123";
const PASSWORD_2 = "second-rollout-password-4567";

test.beforeAll(async () => {
  [kube, registry] = await Promise.all([startKubeServer(), startTestRegistry({ users: { [USER]: PASSWORD_1 } })]);
  await registry.pushImage("team/app", "1.0");
  // The server trusts the CAs in this file for live checks and probes (e2e/serve.mjs); other specs add theirs.
  await appendFile(path.join(tmpdir(), "dockyard-e2e-live-check-ca.pem"), `\n${await readFile(registry.caFile, "utf8")}`);
});

test.afterAll(async () => {
  await Promise.all([kube?.close(), registry?.stop()]);
});

async function addEnvironment(page: Page, teamSlug: string, name: string) {
  await page.goto(`/t/${teamSlug}/environments`);
  await page.getByRole("link", { name: "Add environment" }).first().click();
  await page.getByLabel("Name", { exact: true }).fill(name);
  await page.getByLabel("Kubeconfig").fill(kube.kubeconfigYaml());
  await page.getByRole("button", { name: "Add environment" }).click();
  await expect(page.getByRole("heading", { name })).toBeVisible();
  await page.getByRole("link", { name: "Add container" }).first().click();
  await page.getByLabel("Name", { exact: true }).fill("app");
  await page.getByRole("combobox", { name: "Registry", exact: true }).click();
  await page.getByRole("option", { name: /Rolled registry/ }).click();
  await page.getByLabel("Image", { exact: true }).fill(`${registry.host}/team/app`);
  await page.getByLabel("Tag or digest").fill("1.0");
  await page.getByRole("button", { name: "Add container" }).click();
  await expect(page.getByRole("heading", { name: "app" })).toBeVisible();
}

/** skopeo with the Secret's own .dockerconfigjson as authfile. */
async function pulls(secret: { data: Record<string, string> }) {
  const dir = await mkdtemp(path.join(tmpdir(), "e2e-rollout-proof-"));
  const file = path.join(dir, "auth.json");
  await writeFile(file, Buffer.from(secret.data[".dockerconfigjson"]!, "base64"), { mode: 0o600 });
  return (await registry.inspectWithAuthfile(`${registry.host}/team/app:1.0`, file)).ok;
}

test("apply to every environment with progress and a failure in plain words, the probe, and the rotate form's warning", async ({ page }) => {
  test.setTimeout(120_000);
  const bodies: string[] = [];
  page.on("response", async (r) => bodies.push(await r.text().catch(() => "")));
  await signUp(page, newAccount("roller"));
  const teamSlug = teamSlugOf(page);

  await page.goto(`/t/${teamSlug}/settings/registries/new`);
  await page.getByRole("combobox", { name: "Registry type", exact: true }).click();
  await page.getByRole("option", { name: "Custom / Self-hosted" }).click();
  await page.getByLabel("Name", { exact: true }).fill("Rolled registry");
  await page.getByLabel("Registry URL").fill(registry.url);
  await page.getByLabel("Username", { exact: true }).fill(USER);
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD_1);
  await page.getByRole("button", { name: "Save registry" }).click();
  await expect(page.getByRole("heading", { name: "Rolled registry" })).toBeVisible();
  const registryUrl = page.url();

  const suffix = Math.random().toString(36).slice(2, 7);
  const [prod, stage] = [`prod-${suffix}`, `stage-${suffix}`];
  await addEnvironment(page, teamSlug, prod);
  await addEnvironment(page, teamSlug, stage);

  // Nothing deployed: both environments hold no credentials yet.
  await page.goto(registryUrl);
  const rollout = page.getByTestId("rollout");
  await expect(rollout.getByTestId("rollout-stale")).toContainText(`2 of 2 environments hold an older credential version than 1, or none yet: ${prod} (never written), ${stage} (never written)`);
  await expect(rollout.getByTestId("probe-result")).toContainText("Not probed yet: 1 image in use.");

  // Apply, slowly enough to watch; the stage cluster's API server fails once.
  kube.setLatency(1500);
  kube.failNext((req) => req.path.startsWith(`/api/v1/namespaces/env-${stage}/secrets`), { status: 503, reason: "ServiceUnavailable", message: "the API server is overloaded" });
  await rollout.getByRole("button", { name: "Apply to 2 environments now" }).click();
  await expect(rollout.getByTestId("apply-progress")).toContainText("Applying version 1: 0 of 2 environments");
  await expect(rollout.getByRole("progressbar", { name: "Environments done" })).toBeVisible();
  await expect(rollout.getByTestId("apply-progress")).toContainText("version 1 written to 1 of 2 environments; 1 failed.", { timeout: 20_000 });
  kube.setLatency(0);
  await expect(rollout.getByTestId("apply-failures")).toContainText(`${stage} (env-${stage}): pull secret env-${stage}/`);
  await expect(rollout.getByTestId("apply-failures")).toContainText("the API server is overloaded");
  await page.screenshot({ path: test.info().outputPath("apply-failed.png"), fullPage: true });
  await expect(rollout.getByTestId("probe-result")).toContainText("The current credentials can pull 1 of 1 image in use");
  await expect(rollout.getByTestId("probe-result")).toContainText(`${registry.host}/team/app:1.0 pulls`);
  // The failed environment still holds nothing: the page offers the apply again.
  await expect(rollout.getByTestId("rollout-stale")).toContainText(`1 of 2 environments holds an older credential version than 1, or none yet: ${stage} (never written)`);
  await rollout.getByRole("button", { name: "Apply to 2 environments now" }).click();
  await expect(rollout.getByTestId("rollout-current")).toHaveText("All 2 environments hold credential version 1.");
  await expect(page.getByTestId("audit-history")).toContainText("Applied to environments");

  // Rotate with a password the registry refuses: the form warns before saving, per image.
  await page.getByRole("link", { name: "Edit / rotate" }).click();
  await page.getByLabel("Password", { exact: true }).fill("not-the-password-0123456");
  await page.getByRole("button", { name: "Save changes" }).click();
  const warning = page.getByTestId("probe-before-save");
  await expect(warning).toContainText("Warning: the new credentials cannot pull 1 of 1 image in use.");
  await expect(warning).toContainText(`${registry.host}/team/app:1.0 — credentials refused`);
  await expect(warning).toContainText(`${registry.host} refused these credentials`);
  await expect(page.getByRole("button", { name: "Save anyway" })).toBeVisible();
  await page.screenshot({ path: test.info().outputPath("rotate-warning.png"), fullPage: true });

  // The registry's password really changes; the right one passes the probe and is saved at once.
  await registry.setUser(USER, PASSWORD_2);
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD_2);
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByText(/Credentials are now version 2.*The new credentials can pull 1 of 1 image in use/)).toBeVisible();
  await expect(page.getByRole("heading", { name: "Rolled registry" })).toBeVisible();
  await expect(rollout.getByTestId("rollout-stale")).toContainText(`2 of 2 environments hold an older credential version than 2, or none yet: ${prod} (version 1), ${stage} (version 1)`);
  const secretName = kube.list("secrets", `env-${prod}`)[0].metadata.name as string;
  expect(await pulls(kube.get("secrets", `env-${prod}`, secretName))).toBe(false);

  await rollout.getByRole("button", { name: "Apply to 2 environments now" }).click();
  await expect(rollout.getByTestId("rollout-current")).toHaveText("All 2 environments hold credential version 2.");
  await expect(rollout.getByTestId("apply-progress")).toContainText("version 2 written to 2 of 2 environments.");
  await expect(rollout.getByTestId("probe-result")).toContainText("The current credentials can pull 1 of 1 image in use");
  for (const env of [prod, stage]) expect(await pulls(kube.get("secrets", `env-${env}`, secretName))).toBe(true);
  await page.screenshot({ path: test.info().outputPath("registry-rollout.png"), fullPage: true });

  for (const body of bodies) {
    expect(body).not.toContain(PASSWORD_1);
    expect(body).not.toContain(PASSWORD_2);
  }
});
