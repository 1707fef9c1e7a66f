import { expect, test, type Page } from "@playwright/test";
import { REGISTRY_TYPES, isSecretField } from "../lib/registries/catalog";
import { EXAMPLE_CREDENTIALS } from "../lib/registries/examples";
import { registryDocumentYaml } from "../lib/registries/import-export";
import { expectAccessible } from "./a11y";
import { newAccount, signUp, teamSlugOf } from "./helpers";

/**
 * Importing a document fills the form for the document's type, whatever type was chosen before,
 * and checks only what the document filled in: an export has no secrets, which are not errors
 * before anyone had a chance to type them. Every pair of types, on one page.
 */

/** What an export holds: the name, the type and the fields that are not secret. */
function exported(type: (typeof REGISTRY_TYPES)[number]) {
  const visible = Object.fromEntries(Object.entries(type.fields).filter(([, f]) => !isSecretField(f)).map(([name]) => [name, EXAMPLE_CREDENTIALS[type.type][name]!]));
  return registryDocumentYaml({ name: `Imported ${type.type}`, type: type.type, credentials: visible });
}

async function importDocument(page: Page, yaml: string) {
  await page.getByRole("button", { name: "Import from YAML or JSON" }).click();
  await page.getByLabel("Paste a registry document").fill(yaml);
  await page.getByRole("button", { name: "Fill the form" }).click();
}

const shownErrors = (page: Page) => page.locator('form [id$="-error"]:not(:empty)');

test("import a document of each type over a form set to each type: the document's type, its values, no error before typing", async ({ page }) => {
  test.setTimeout(240_000);
  await signUp(page, newAccount("import"));
  await page.goto(`/t/${teamSlugOf(page)}/settings/registries/new`);
  const typeSelect = page.getByRole("combobox", { name: "Registry type", exact: true });
  for (const from of REGISTRY_TYPES) {
    for (const to of REGISTRY_TYPES) {
      const pair = `${from.type} → ${to.type}`;
      await typeSelect.click();
      await page.getByRole("option", { name: from.label, exact: true }).click();
      await expect(typeSelect, pair).toContainText(from.label);
      await importDocument(page, exported(to));
      await expect(typeSelect, pair).toContainText(to.label);
      await expect(page.getByLabel("Name", { exact: true }), pair).toHaveValue(`Imported ${to.type}`);
      for (const [name, field] of Object.entries(to.fields)) {
        if (isSecretField(field)) await expect(page.getByLabel(field.label, { exact: true }), `${pair} ${name}`).toHaveValue("");
        else if (field.kind === "select") await expect(page.getByRole("combobox", { name: field.label, exact: true }), `${pair} ${name}`).toContainText(EXAMPLE_CREDENTIALS[to.type][name]!);
        else await expect(page.getByLabel(field.label, { exact: true }), `${pair} ${name}`).toHaveValue(EXAMPLE_CREDENTIALS[to.type][name]!);
      }
      await expect(shownErrors(page), pair).toHaveCount(0);
      await expect(page.locator('form [aria-invalid="true"]'), pair).toHaveCount(0);
    }
  }
});

test("an imported value that is wrong for its own type is reported on its field, and only that one", async ({ page }) => {
  await signUp(page, newAccount("import-bad"));
  await page.goto(`/t/${teamSlugOf(page)}/settings/registries/new`);
  // The form starts as GHCR, whose username rule ("only letters, digits and hyphens") must not judge a Quay robot name.
  await importDocument(page, "name: Robot\ntype: Quay\ncredentials:\n  username: myorg+deployer\n");
  await expect(shownErrors(page)).toHaveCount(0);
  await importDocument(page, "name: Robot\ntype: Quay\ncredentials:\n  username: 'my org'\n");
  await expect(page.getByRole("combobox", { name: "Registry type", exact: true })).toContainText("Red Hat Quay");
  await expect(shownErrors(page)).toHaveCount(1);
  await expect(page.getByLabel("Username", { exact: true })).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByLabel("Token", { exact: true })).toHaveAttribute("aria-invalid", "false");
  await expectAccessible(page, "registry form after an import with a wrong value");
  // Completed by hand, it saves as the document's type.
  await page.getByLabel("Username", { exact: true }).fill("myorg+deployer");
  await page.getByLabel("Token", { exact: true }).fill(EXAMPLE_CREDENTIALS.Quay.token!);
  await page.getByRole("button", { name: "Save registry" }).click();
  await expect(page.getByRole("heading", { name: "Robot" })).toBeVisible();
  await expect(page.getByText("Red Hat Quay").first()).toBeVisible();
});
