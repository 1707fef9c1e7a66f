import { expect, test, type Page } from "@playwright/test";
import { startKubeServer, type KubeServer } from "../tests/support/kube-server";
import { startKubelet, type KubeletSimulator } from "../tests/support/kubelet";
import { startTestRegistry, type TestRegistry } from "../tests/support/test-registry";
import { newAccount, privateContainer, signUp, teamSlugOf } from "./helpers";

/**
 * A deploy as it happens, on the container page: the steps appear one after another while the
 * Kubernetes test server answers slowly and the kubelet simulator pulls from the real test
 * registry; afterwards the outcome stays on the page. Then the registry's password changes behind
 * the dashboard's back: the restart's new pod cannot pull, and the page says why in plain words,
 * with what the orchestrator said behind a disclosure.
 */

let kube: KubeServer;
let kubelet: KubeletSimulator;
let registry: TestRegistry;
const USER = "watcher";
const PASSWORD_1 = "first-progress-password-0123";
const PASSWORD_2 = "second-progress-password-4567";

test.beforeAll(async () => {
  [kube, registry] = await Promise.all([startKubeServer(), startTestRegistry({ users: { [USER]: PASSWORD_1 } })]);
  kubelet = startKubelet(kube);
  await registry.pushImage("team/app", "1.0");
});

test.afterAll(async () => {
  await kubelet?.stop();
  await Promise.all([kube?.close(), registry?.stop()]);
});

async function setUp(page: Page) {
  await signUp(page, newAccount("progress"));
  const teamSlug = teamSlugOf(page);
  const { slug } = await privateContainer(page, teamSlug, { registry, username: USER, password: PASSWORD_1, kubeconfig: kube.kubeconfigYaml(), slugPrefix: "live", container: "web" });
  return { teamSlug, slug };
}

test("a deploy step by step, then rolled out; a password changed at the registry: pull failed, credentials refused, in plain words", async ({ page }) => {
  test.setTimeout(120_000);
  const bodies: string[] = [];
  page.on("response", async (r) => bodies.push(await r.text().catch(() => "")));
  await setUp(page);

  // Slow API answers make each step last long enough to be seen running.
  kube.setLatency(800);
  await page.getByRole("button", { name: "Deploy", exact: true }).click();
  const panel = page.getByTestId("latest-deployment");
  await expect(panel.getByRole("heading", { name: /Deploying/ })).toBeVisible();
  const steps = panel.getByRole("list", { name: "Deploy steps" });
  await expect(steps.getByRole("listitem")).toHaveCount(4);
  // The status line is announced (aria-live) and names the step in progress.
  const status = panel.getByRole("status");
  await expect(status).toHaveAttribute("aria-live", "polite");
  await expect(status).toHaveText(/Deploy in progress: (pull secret|workload|rollout)/);
  await expect(panel.getByTestId("step-workload")).toHaveAttribute("data-status", "running");
  await expect(panel.getByTestId("step-credentials")).toHaveAttribute("data-status", "done");
  await expect(panel.getByTestId("step-credentials")).toContainText("Team registry, credentials v1");
  await expect(page.getByRole("button", { name: "Deploy", exact: true })).toBeDisabled();
  await page.screenshot({ path: "test-results/deploy-progress-running.png", fullPage: true });

  await expect(panel.getByText("Rolled out: 1/1 ready.")).toBeVisible({ timeout: 30_000 });
  kube.setLatency(0);
  await expect(panel.getByRole("heading", { name: /Latest deploy/ })).toBeVisible();
  for (const name of ["credentials", "pull-secret", "workload", "rollout"]) await expect(panel.getByTestId(`step-${name}`)).toHaveAttribute("data-status", "done");
  await expect(panel.getByTestId("step-rollout")).toContainText("1/1 ready");
  await expect(page.getByText("Deploy rolled out (1/1 ready)").first()).toBeVisible();
  await expect(page.getByRole("button", { name: "Deploy", exact: true })).toBeEnabled();
  await expect(page.getByTestId("deployments")).toContainText("rolled out");
  await page.screenshot({ path: "test-results/deploy-progress-rolled-out.png", fullPage: true });

  // The registry's operator changes the password; the dashboard still has the old one.
  await registry.setUser(USER, PASSWORD_2);
  try {
    await page.getByRole("button", { name: "Restart" }).click();
    const failure = panel.getByTestId("pull-failure");
    await expect(failure).toBeVisible({ timeout: 30_000 });
    await expect(failure).toContainText("Pull failed: credentials refused");
    await expect(failure).toContainText("The registry refused the saved credentials (401)");
    await expect(failure).toContainText(`${registry.host}/team/app:1.0`);
    await expect(panel.getByTestId("step-rollout")).toHaveAttribute("data-status", "failed");
    await expect(panel.getByTestId("step-rollout")).toContainText("pull failed: credentials refused");
    // The old pod keeps serving meanwhile.
    await expect(panel.getByTestId("step-rollout")).toContainText("1 old still running");

    const raw = failure.getByText("What the orchestrator said");
    const disclosure = failure.locator("details");
    await expect(disclosure).not.toHaveAttribute("open", "");
    await raw.click();
    await expect(disclosure.locator("pre")).toContainText("unauthorized: authentication required");
    await page.screenshot({ path: "test-results/deploy-progress-pull-failed.png", fullPage: true });

    // Kept on the page, not only in a toast: a reload shows the same.
    await page.reload();
    await expect(panel.getByTestId("pull-failure")).toContainText("Pull failed: credentials refused");
    await expect(page.getByTestId("deployments")).toContainText("credentials refused");
  } finally {
    await registry.setUser(USER, PASSWORD_1);
  }

  for (const body of bodies) {
    expect(body).not.toContain(PASSWORD_1);
    expect(body).not.toContain(PASSWORD_2);
  }
});
