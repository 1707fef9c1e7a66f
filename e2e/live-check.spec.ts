import { appendFile, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect, test, type Page } from "@playwright/test";
import { startTestRegistry, type TestRegistry } from "../tests/support/test-registry";
import { expectAccessible } from "./a11y";
import { newAccount, signUp, teamSlugOf } from "./helpers";

/** Test Connection in the form: one verdict, what the registry (or the network) said, and kept when the tested values are saved. */

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

test("Test connection gives one verdict, and the test run before saving becomes the registry's last test", async ({ page }) => {
  await signUp(page, newAccount("livecheck"));
  await page.goto(`/t/${teamSlugOf(page)}/settings/registries/new`);
  const verdict = page.getByTestId("test-result");

  await fillCustom(page, "wrong-password-0123456789");
  await page.getByRole("button", { name: "Test connection" }).click();
  // One answer: the registry refused, saving stays allowed, and no green "Valid" above it.
  await expect(page.getByTestId("test-result-headline")).toHaveText(`${registry.host} refused these credentials. You can still save.`);
  await expect(verdict).toContainText("Fields: Every Custom / Self-hosted field is present and well-formed.");
  await expect(verdict).toContainText("Registry says: HTTP 401 to GET /v2/ with Basic authentication.");
  await expect(verdict.getByRole("status")).toHaveCount(1);
  await expectAccessible(page, "registry form, a refused test");

  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByLabel("Image to try (optional)").fill("team/nothing-here");
  await page.getByRole("button", { name: "Test connection" }).click();
  await expect(page.getByTestId("test-result-headline")).toHaveText(`The credentials are valid, but ${registry.host} has no repository team/nothing-here they can see. You can still save.`);

  await page.getByLabel("Image to try (optional)").fill("team/app");
  await page.getByRole("button", { name: "Test connection" }).click();
  await expect(page.getByTestId("test-result-headline")).toHaveText(`Valid: these credentials can pull team/app from ${registry.host}.`);
  await expectAccessible(page, "registry form, a passing test");

  // Saved with exactly the tested credentials: the registry was tested, not "never tested".
  await page.getByRole("button", { name: "Save registry" }).click();
  await expect(page.getByRole("heading", { name: "Checked registry" })).toBeVisible();
  await expect(page.getByTestId("last-test")).toContainText(`valid`);
  await expect(page.getByTestId("last-test")).toContainText(`Valid: these credentials can pull team/app from ${registry.host}.`);
  await expect(page.getByTestId("audit-history")).toContainText("Tested");

  // Tested from the registry page with the stored credentials: the list shows the verdict.
  await page.getByRole("button", { name: "Test connection" }).click();
  await expect(page.getByText(`Valid: ${registry.host} accepted the credentials`).first()).toBeVisible();
  await page.getByRole("link", { name: "← Container Registries" }).click();
  await expect(page.getByTestId("registry-row-Checked registry")).toContainText("valid");
});

test("a test of other credentials than the ones saved is not kept; an address nothing listens on reads in plain words", async ({ page }) => {
  await signUp(page, newAccount("notkept"));
  await page.goto(`/t/${teamSlugOf(page)}/settings/registries/new`);
  await page.getByRole("combobox", { name: "Registry type", exact: true }).click();
  await page.getByRole("option", { name: "Custom / Self-hosted" }).click();
  await page.getByLabel("Name", { exact: true }).fill("Nobody home");
  await page.getByLabel("Registry URL").fill("https://127.0.0.1:1");
  await page.getByLabel("Username", { exact: true }).fill(USER);
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByRole("button", { name: "Test connection" }).click();
  await expect(page.getByTestId("test-result-headline")).toHaveText("Couldn't reach 127.0.0.1:1 from this server — the connection was refused: nothing listens there. You can still save.");
  await expect(page.getByTestId("test-result")).toContainText("Connection: Network error: ECONNREFUSED.");
  await expect(page.getByTestId("test-result")).not.toContainText("Registry says");
  await expectAccessible(page, "registry form, an unreachable registry");
  // Changed after the test: the verdict no longer applies, and is not recorded.
  await page.getByLabel("Password", { exact: true }).fill(`${PASSWORD}-changed`);
  await page.getByRole("button", { name: "Save registry" }).click();
  await expect(page.getByRole("heading", { name: "Nobody home" })).toBeVisible();
  await expect(page.getByTestId("last-test")).toHaveText("never tested");
});
