import { expect, test, type Page } from "@playwright/test";
import { startKubeServer, type KubeServer } from "../tests/support/kube-server";
import { closedPort } from "../tests/support/registry-servers";
import { expectAccessible } from "./a11y";
import { choose, newAccount, signUp, teamSlugOf } from "./helpers";

/**
 * Environments are tested before they are saved (the Test button, and a check on save with
 * "Save anyway" when it fails), can be edited with their secrets kept or rotated, and a private
 * registry's host is where an image path without one lives.
 */

let kube: KubeServer;
const SSH_KEY = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAAe2e\n-----END OPENSSH PRIVATE KEY-----";

test.beforeAll(async () => {
  kube = await startKubeServer();
});

test.afterAll(async () => {
  await kube?.close();
});

async function openAddForm(page: Page, teamSlug: string) {
  await page.goto(`/t/${teamSlug}/environments`);
  await page.getByRole("link", { name: "Add environment" }).first().click();
  await expect(page.getByRole("heading", { name: "Add environment" })).toBeVisible();
}

const check = (page: Page) => page.getByTestId("connection-check-headline");

test("Kubernetes: Test before adding, the verdict on the page, then an edit that keeps, rotates and saves anyway", async ({ page }) => {
  await signUp(page, newAccount("envs"));
  const teamSlug = teamSlugOf(page);
  const name = `prod-${Math.random().toString(36).slice(2, 7)}`;
  await openAddForm(page, teamSlug);
  await page.getByLabel("Name", { exact: true }).fill(name);
  // A kubeconfig of a plain-http API server, as `kubectl proxy` gives.
  await page.getByLabel("Kubeconfig").fill(kube.kubeconfigYaml());
  await page.getByRole("button", { name: "Test connection" }).click();
  await expect(check(page)).toHaveText(/^Connected: \d+ namespaces? visible\.$/);
  await expectAccessible(page, "environment form, a passing test");
  // This exact connection was just checked: adding does not ask again.
  const requests = kube.requests.length;
  await page.getByRole("button", { name: "Add environment" }).click();
  await expect(page.getByRole("heading", { name })).toBeVisible();
  expect(kube.requests.length).toBe(requests);
  await expect(page.getByText(/env-[a-z0-9]{12}/)).toHaveCount(0);

  await page.getByRole("button", { name: "Test connection" }).click();
  await expect(check(page)).toHaveText(/^Connected: \d+ namespaces? visible\.$/);
  await expect(page.getByTestId("connection-check")).toContainText("Namespaces:");
  await expectAccessible(page, "environment page with a test verdict");

  // Rename only: the saved kubeconfig is kept, nothing is checked.
  await page.getByRole("link", { name: "Edit" }).click();
  await expect(page.getByRole("heading", { name: `Edit ${name}` })).toBeVisible();
  await expect(page.getByLabel("Slug")).toBeDisabled();
  await expect(page.getByLabel("Kubeconfig")).toHaveValue("");
  await expect(page.getByLabel("Kubeconfig")).toHaveAttribute("placeholder", /unchanged/);
  await expect(page.getByText(`Saved: ${kube.url}`)).toBeVisible();
  await expectAccessible(page, "environment edit form");
  await page.getByLabel("Name", { exact: true }).fill(`${name} eu`);
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByRole("heading", { name: `${name} eu` })).toBeVisible();

  // A rotated kubeconfig the cluster refuses: held back, said in plain words, then saved anyway.
  await page.getByRole("link", { name: "Edit" }).click();
  await page.getByLabel("Kubeconfig").fill(kube.kubeconfigYaml().replace(kube.token, "a-revoked-token"));
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(check(page)).toHaveText("The cluster refused the kubeconfig's credentials. You can still save.");
  await expect(page.getByTestId("connection-check")).toContainText("Details: Unauthorized");
  await expect(page).toHaveURL(/\/edit$/);
  await expectAccessible(page, "environment edit form, a failed check");
  await page.getByRole("button", { name: "Save anyway" }).click();
  await expect(page.getByRole("heading", { name: `${name} eu` })).toBeVisible();
  // The environment page has just loaded: a click before it is hydrated does nothing, so retry it.
  await expect(async () => {
    await page.getByRole("button", { name: "Test connection" }).click();
    await expect(check(page)).toHaveText("The cluster refused the kubeconfig's credentials.", { timeout: 3000 });
  }).toPass({ timeout: 20_000 });
  await expect(page.content()).resolves.not.toContain("a-revoked-token");
});

test("an API server nothing listens on: Save checks first, says why, and Save anyway adds it", async ({ page }) => {
  await signUp(page, newAccount("envs-down"));
  await openAddForm(page, teamSlugOf(page));
  await page.getByLabel("Name", { exact: true }).fill("down");
  await page.getByLabel("Kubeconfig").fill(kube.kubeconfigYaml().replace(kube.url, `http://127.0.0.1:${await closedPort()}`));
  await page.getByRole("button", { name: "Add environment" }).click();
  await expect(check(page)).toHaveText("Cannot reach the API server — the connection was refused: nothing listens there. You can still save.");
  await expect(page.getByTestId("connection-check")).toContainText("Details: Network error: ECONNREFUSED.");
  await expectAccessible(page, "environment form, an unreachable API server");
  await page.getByRole("button", { name: "Save anyway" }).click();
  await expect(page.getByRole("heading", { name: "down" })).toBeVisible();
});

test("Swarm over ssh: the Docker host is really asked, and a new host needs the key typed again", async ({ page }) => {
  await signUp(page, newAccount("envs-ssh"));
  await openAddForm(page, teamSlugOf(page));
  await page.getByLabel("Name", { exact: true }).fill("swarm");
  await choose(page, "Orchestrator", "Docker Swarm");
  const port = await closedPort();
  await page.getByLabel("Swarm manager's Docker host").fill(`ssh://deploy@127.0.0.1:${port}`);
  await page.getByLabel("SSH private key").fill(SSH_KEY);
  await page.getByRole("button", { name: "Test connection" }).click();
  await expect(check(page)).toHaveText(`The Docker engine at ssh://deploy@127.0.0.1:${port} did not answer: the host could not be reached. You can still save.`);
  await page.getByRole("button", { name: "Save anyway" }).click();
  await expect(page.getByRole("heading", { name: "swarm" })).toBeVisible();

  await page.getByRole("link", { name: "Edit" }).click();
  await expect(page.getByLabel("SSH private key")).toHaveValue("");
  await page.getByLabel("Swarm manager's Docker host").fill(`ssh://deploy@127.0.0.2:${port}`);
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByText("Enter the SSH private key again: a saved secret is only sent to the host it was saved for")).toBeVisible();
  await expect(page.getByLabel("SSH private key")).toHaveAttribute("aria-invalid", "true");
  await expectAccessible(page, "environment edit form, a key to type again");
  await page.getByLabel("SSH private key").fill(SSH_KEY);
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(check(page)).toContainText("did not answer");
  await page.getByRole("button", { name: "Save anyway" }).click();
  await expect(page.getByText(`ssh://deploy@127.0.0.2:${port}`)).toBeVisible();
});

test("a Custom registry chosen: an image path without a host is on that registry's host", async ({ page }) => {
  await signUp(page, newAccount("holdout"));
  const teamSlug = teamSlugOf(page);
  await page.goto(`/t/${teamSlug}/settings/registries/new`);
  await choose(page, "Registry type", "Custom / Self-hosted");
  await page.getByLabel("Name", { exact: true }).fill("Holdout");
  await page.getByLabel("Registry URL").fill("https://127.0.0.1:5101");
  await page.getByLabel("Username", { exact: true }).fill("holdout");
  await page.getByLabel("Password", { exact: true }).fill("holdout-password-0123");
  await page.getByRole("button", { name: "Save registry" }).click();
  await expect(page.getByRole("heading", { name: "Holdout" })).toBeVisible();

  await openAddForm(page, teamSlug);
  await page.getByLabel("Name", { exact: true }).fill("apps");
  await page.getByLabel("Kubeconfig").fill(kube.kubeconfigYaml());
  await page.getByRole("button", { name: "Add environment" }).click();
  await expect(page.getByRole("heading", { name: "apps" })).toBeVisible();
  await page.getByRole("link", { name: "Add container" }).first().click();
  await page.getByLabel("Name", { exact: true }).fill("api");
  await choose(page, "Registry", /Holdout/);
  await expect(page.getByLabel("Image", { exact: true })).toHaveAttribute("placeholder", "team/app");
  await page.getByLabel("Image", { exact: true }).fill("holdout/api");
  await page.getByLabel("Tag or digest").fill("1.0");
  await expect(page.getByTestId("normalised-image")).toHaveText("127.0.0.1:5101/holdout/api:1.0");
  await expect(page.getByText(/This image is on docker.io/)).toHaveCount(0);
  await expectAccessible(page, "container form with a host-less image on a private registry");
  await page.getByRole("button", { name: "Add container" }).click();
  await expect(page.getByRole("heading", { name: "api" })).toBeVisible();
  await expect(page.getByText("127.0.0.1:5101/holdout/api:1.0").first()).toBeVisible();
});
