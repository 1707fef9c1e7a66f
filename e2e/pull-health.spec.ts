import { appendFile, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect, test, type Page } from "@playwright/test";
import { startKubeServer, type KubeServer } from "../tests/support/kube-server";
import { startKubelet, type KubeletSimulator } from "../tests/support/kubelet";
import { startTestRegistry, type TestRegistry } from "../tests/support/test-registry";
import { newAccount, privateContainer, signUp, teamSlugOf } from "./helpers";

/**
 * Pull health as a user meets it: deploy, the registry's password changes behind the dashboard's
 * back and pods cannot pull, the registry page and list say so; rotate and apply, and it heals.
 * The e2e server runs the watcher every few seconds (WATCH_INTERVAL_SECONDS in e2e/serve.mjs).
 */

let kube: KubeServer;
let kubelet: KubeletSimulator;
let registry: TestRegistry;
const USER = "health";
const PASSWORD_1 = "health-password-one-01234";
const PASSWORD_2 = "health-password-two-56789";

test.beforeAll(async () => {
  [kube, registry] = await Promise.all([startKubeServer(), startTestRegistry({ users: { [USER]: PASSWORD_1 } })]);
  kubelet = startKubelet(kube, { backoffMs: 500, maxBackoffMs: 1000 });
  await registry.pushImage("team/app", "1.0");
  await appendFile(path.join(tmpdir(), "dockyard-e2e-live-check-ca.pem"), `\n${await readFile(registry.caFile, "utf8")}`);
});

test.afterAll(async () => {
  await kubelet?.stop();
  await Promise.all([kube?.close(), registry?.stop()]);
});

/** Reloads until the pull-health card shows `text` (the watcher runs every few seconds). */
async function healthShows(page: Page, text: RegExp) {
  await expect
    .poll(
      async () => {
        await page.reload();
        return (await page.locator("#pull-health").textContent()) ?? "";
      },
      { timeout: 40_000, intervals: [1000] },
    )
    .toMatch(text);
}

test("pull health: OK after a deploy, failing with the reason once the password changed, OK again after rotate and apply", async ({ page }) => {
  test.setTimeout(150_000);
  await signUp(page, newAccount("health"));
  const teamSlug = teamSlugOf(page);

  const { registryUrl, slug } = await privateContainer(page, teamSlug, { registry, username: USER, password: PASSWORD_1, kubeconfig: kube.kubeconfigYaml(), slugPrefix: "health", container: "app" });
  await page.getByRole("button", { name: "Deploy", exact: true }).click();
  await expect(page.getByText("Deploy rolled out (1/1 ready)").first()).toBeVisible();
  const containerUrl = page.url();

  await page.goto(registryUrl);
  await healthShows(page, /Pulling OK/);

  // The password changes on the registry; the next pull (a restart) is refused.
  await registry.setUser(USER, PASSWORD_2);
  await page.goto(containerUrl);
  await page.getByRole("button", { name: "Restart" }).click();
  await expect(page.getByText(/credentials refused/i).first()).toBeVisible({ timeout: 40_000 });

  await page.goto(registryUrl);
  await healthShows(page, /Failing since .*credentials refused.* for app/i);
  await expect(page.locator("#pull-health")).toContainText(slug);
  await page.locator("#pull-health").screenshot({ path: test.info().outputPath("pull-health-failing.png") });
  await page.goto(`/t/${teamSlug}/settings/registries`);
  await expect(page.getByText("Pull failing")).toBeVisible();

  // Rotate in the dashboard, apply to every environment now; kubelet's next retry pulls.
  await page.goto(registryUrl);
  await page.getByRole("link", { name: /Edit/ }).first().click();
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD_2);
  await page.getByRole("button", { name: /Save/ }).first().click();
  await expect(page.getByText(/version 2/).first()).toBeVisible();
  await page.goto(registryUrl);
  await page.getByRole("button", { name: /Apply to 1 environment now/ }).click();
  await expect(page.getByText(/1 of 1/).first()).toBeVisible({ timeout: 30_000 });
  await healthShows(page, /Pulling OK/);
  await page.locator("#pull-health").screenshot({ path: test.info().outputPath("pull-health-ok.png") });
});
