import { expect, test, type Page } from "@playwright/test";
import { startKubeServer, type KubeServer } from "../tests/support/kube-server";
import { newAccount, signUp, teamSlugOf } from "./helpers";

/** Containers and environments are deleted through the same confirm dialog as registries and members, never window.confirm. */

let kube: KubeServer;
test.beforeAll(async () => {
  kube = await startKubeServer();
});
test.afterAll(async () => {
  await kube?.close();
});

async function addEnvironment(page: Page, teamSlug: string, name: string) {
  await page.goto(`/t/${teamSlug}/environments/new`);
  await page.getByLabel("Name", { exact: true }).fill(name);
  await page.getByLabel("Kubeconfig").fill(kube.kubeconfigYaml());
  await page.getByRole("button", { name: "Add environment" }).click();
  await expect(page.getByRole("heading", { name })).toBeVisible();
}

test("delete a container, then its environment, each after a confirm dialog; a member is told who may", async ({ page, browser }) => {
  page.on("dialog", (d) => {
    throw new Error(`a browser dialog appeared: ${d.message()}`);
  });
  await signUp(page, newAccount("deleter"));
  const teamSlug = teamSlugOf(page);
  const envName = `doomed-${Math.random().toString(36).slice(2, 7)}`;
  await addEnvironment(page, teamSlug, envName);
  const environmentUrl = page.url();
  await page.getByRole("link", { name: "Add container" }).first().click();
  await page.getByLabel("Name", { exact: true }).fill("web");
  await page.getByLabel("Image", { exact: true }).fill("docker.io/library/nginx");
  await page.getByLabel("Tag or digest").fill("1.27");
  await page.getByRole("button", { name: "Add container" }).click();
  await expect(page.getByRole("heading", { name: "web" })).toBeVisible();

  // The environment says why it cannot go yet.
  await page.goto(environmentUrl);
  await expect(page.getByRole("button", { name: "Delete", exact: true })).toBeDisabled();
  await expect(page.getByText("Delete its 1 container first: that removes their workloads.")).toBeVisible();

  await page.getByRole("link", { name: "web" }).click();
  await page.getByRole("button", { name: "Delete", exact: true }).click();
  const dialog = page.getByRole("alertdialog", { name: "Delete this container?" });
  await expect(dialog).toContainText("Its workload is removed from the orchestrator first");
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await expect(dialog).toHaveCount(0);
  await expect(page.getByRole("heading", { name: "web" })).toBeVisible();
  await page.getByRole("button", { name: "Delete", exact: true }).click();
  await dialog.getByRole("button", { name: "Delete container" }).click();
  await expect(page.getByText("Container deleted")).toBeVisible();
  await expect(page).toHaveURL(environmentUrl);
  await expect(page.getByRole("heading", { name: "No containers yet" })).toBeVisible();

  // A member may not delete environments: the button says so.
  const member = newAccount("member");
  const memberPage = await (await browser.newContext()).newPage();
  await signUp(memberPage, member);
  await page.goto(`/t/${teamSlug}/settings/team`);
  await page.getByLabel("E-mail").fill(member.email);
  await page.getByRole("button", { name: "Add member" }).click();
  await expect(page.getByTestId(`member-${member.email}`)).toBeVisible();
  await memberPage.goto(environmentUrl);
  await expect(memberPage.getByRole("button", { name: "Delete", exact: true })).toBeDisabled();
  await expect(memberPage.getByText("Only a team owner or admin can delete environments")).toBeVisible();

  await page.goto(environmentUrl);
  await page.getByRole("button", { name: "Delete", exact: true }).click();
  const envDialog = page.getByRole("alertdialog", { name: `Delete ${envName}?` });
  await expect(envDialog).toContainText("Nothing on the cluster or host is changed");
  await envDialog.getByRole("button", { name: "Delete environment" }).click();
  await expect(page).toHaveURL(new RegExp(`/t/${teamSlug}/environments$`));
  await expect(page.getByRole("link", { name: envName })).toHaveCount(0);
});
