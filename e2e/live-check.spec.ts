import { appendFile, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect, test, type Page } from "@playwright/test";
import { startTestRegistry, type TestRegistry } from "../tests/support/test-registry";
import { newAccount, signUp, teamSlugOf } from "./helpers";

/** Test Connection in the form: the structural verdict at once, then what the registry itself says. */

let registry: TestRegistry;
const USER = "formcheck";
const PASSWORD = "form-check-password-0123";

test.beforeAll(async () => {
  registry = await startTestRegistry({ users: { [USER]: PASSWORD } });
  await registry.pushImage("team/app", "1.0");
  // The server trusts the CAs in this file for live checks (e2e/serve.mjs sets LIVE_CHECK_CA_FILE);
  // appended, since specs running at the same time add theirs.
  await appendFile(path.join(tmpdir(), "dockyard-e2e-live-check-ca.pem"), `\n${await readFile(registry.caFile, "utf8")}`);
});

test.afterAll(async () => {
  await registry?.stop();
});

async function fillCustom(page: Page, password: string) {
  await page.getByRole("combobox", { name: "Registry type", exact: true }).click();
  await page.getByRole("option", { name: "Custom / Self-hosted" }).click();
  await page.getByLabel("Name", { exact: true }).fill("Checked registry");
  await page.getByLabel("Registry URL").fill(registry.url);
  await page.getByLabel("Username", { exact: true }).fill(USER);
  await page.getByLabel("Password", { exact: true }).fill(password);
}

test("Test connection shows the structural and the live result, for a good and a bad Custom registry", async ({ page }) => {
  await signUp(page, newAccount("livecheck"));
  await page.goto(`/t/${teamSlugOf(page)}/settings/registries/new`);

  await fillCustom(page, "wrong-password-0123456789");
  await page.getByRole("button", { name: "Test connection" }).click();
  await expect(page.getByTestId("test-result")).toContainText("Valid: every Custom / Self-hosted field is present and well-formed");
  await expect(page.getByTestId("live-result")).toContainText(`Registry says: ${registry.host} refused these credentials`);
  await expect(page.getByTestId("save-anyway")).toBeVisible();

  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByLabel("Image to try (optional)").fill("team/app");
  await page.getByRole("button", { name: "Test connection" }).click();
  await expect(page.getByTestId("live-result")).toContainText(`Registry says: Valid: these credentials can pull team/app from ${registry.host}`);
  await expect(page.getByTestId("save-anyway")).toHaveCount(0);

  await page.getByLabel("Image to try (optional)").fill("team/nothing-here");
  await page.getByRole("button", { name: "Test connection" }).click();
  await expect(page.getByTestId("live-result")).toContainText("has no repository team/nothing-here they can see");

  // Saved, then tested from the registry page with the stored credentials: the list shows the verdict.
  await page.getByRole("button", { name: "Save registry" }).click();
  await expect(page.getByRole("heading", { name: "Checked registry" })).toBeVisible();
  await page.getByRole("button", { name: "Test connection" }).click();
  await expect(page.getByText(`Valid: ${registry.host} accepted the credentials`).first()).toBeVisible();
  await page.getByRole("link", { name: "← Container Registries" }).click();
  await expect(page.getByTestId("registry-row-Checked registry")).toContainText("valid");
});
