import { expect, test, type Page } from "@playwright/test";
import { REGISTRY_TYPES, type RegistryType } from "../lib/registries/catalog";
import { EXAMPLE_CREDENTIALS } from "../lib/registries/examples";
import { expectAccessible } from "./a11y";
import { choose, newAccount, signUp, teamSlugOf } from "./helpers";

/** Fills a type's credential fields from the catalog, the way a person would. */
async function fillCredentials(page: Page, type: RegistryType, values: Record<string, string>) {
  const def = REGISTRY_TYPES.find((t) => t.type === type)!;
  for (const [name, field] of Object.entries(def.fields)) {
    const value = values[name]!;
    if (field.kind === "select") await choose(page, field.label, value, { exact: true });
    else await page.getByLabel(field.label, { exact: true }).fill(value);
  }
}

async function openAddForm(page: Page, teamSlug: string) {
  await page.goto(`/t/${teamSlug}/settings/registries`);
  await page.getByRole("link", { name: "Add registry" }).first().click();
  await expect(page.getByRole("heading", { name: "Add registry" })).toBeVisible();
}

test("add one registry of each of the nine types, testing each before saving", async ({ page }) => {
  test.setTimeout(120_000);
  await signUp(page, newAccount("types"));
  const teamSlug = teamSlugOf(page);

  for (const def of REGISTRY_TYPES) {
    await openAddForm(page, teamSlug);
    await choose(page, "Registry type", def.label, { exact: true });
    await page.getByLabel("Name", { exact: true }).fill(`My ${def.type}`);
    await fillCredentials(page, def.type, EXAMPLE_CREDENTIALS[def.type]);
    await page.getByRole("button", { name: "Test connection" }).click();
    // One verdict: what the registry (or the network) said, the fields beneath it.
    await expect(page.getByTestId("test-result")).toContainText(def.anonymous ? "Public registries need no credentials: nothing to check." : `Every ${def.label} field is present and well-formed.`);
    await page.getByRole("button", { name: "Save registry" }).click();
    await expect(page.getByRole("heading", { name: `My ${def.type}` })).toBeVisible();
    await expect(page.getByText(def.label).first()).toBeVisible();
  }

  await page.getByRole("link", { name: "← Container Registries" }).click();
  for (const def of REGISTRY_TYPES) await expect(page.getByTestId(`registry-row-My ${def.type}`)).toBeVisible();
  await expect(page.getByTestId("registry-row-My Docker")).toContainText("docker.io");
  await expect(page.getByTestId("registry-row-My GAR")).toContainText("us-central1-docker.pkg.dev");
  await expect(page.getByTestId("registry-row-My ECR")).toContainText("*.dkr.ecr.eu-central-1.amazonaws.com");

  await page.getByLabel("Search registries by name").fill("GAR");
  await page.getByLabel("Search registries by name").press("Enter");
  await expect(page.getByTestId("registry-row-My GAR")).toBeVisible();
  await expect(page.getByTestId("registry-row-My GCR")).toHaveCount(0);
});

test("names holding markup read as text in the list, on first load and after navigating back", async ({ page }) => {
  const account = { ...newAccount("markup"), name: `<b>Eve</b> "q" & 'x'` };
  await signUp(page, account);
  const teamSlug = teamSlugOf(page);
  const name = `<img src=x onerror="window.__xss=1"> " onclick="window.__xss=2`;
  await openAddForm(page, teamSlug);
  await choose(page, "Registry type", "Custom / Self-hosted", { exact: true });
  await page.getByLabel("Name", { exact: true }).fill(name);
  // A loopback port nothing listens on: the live check's answer (with an apostrophe) goes in a title,
  // and the test sends nothing off this machine.
  await fillCredentials(page, "Custom", { ...EXAMPLE_CREDENTIALS.Custom, url: "https://127.0.0.1:9" });
  await page.getByRole("button", { name: "Test connection" }).click();
  // Saved with the registry only once the test has answered.
  await expect(page.getByTestId("test-result")).toContainText("Couldn't reach 127.0.0.1:9");
  await page.getByRole("button", { name: "Save registry" }).click();
  await expect(page.getByRole("heading", { name })).toBeVisible();

  const checkList = async () => {
    const row = page.getByTestId(`registry-row-${name}`);
    await expect(row.getByRole("link", { name, exact: true })).toBeVisible();
    await expect(row.getByRole("cell").nth(2)).toHaveText(account.name);
    // The verdict's message, with its apostrophe, is the cell's title as written.
    await expect(row.locator("[title]")).toHaveAttribute("title", /^Couldn't reach 127\.0\.0\.1:9/);
    await expect(page.locator("table img, table b, table [onclick]")).toHaveCount(0);
    expect(await page.evaluate(() => (window as { __xss?: number }).__xss)).toBeUndefined();
  };
  await page.getByRole("link", { name: "← Container Registries" }).click();
  await checkList();
  await page.getByTestId(`registry-row-${name}`).getByRole("link", { name, exact: true }).click();
  await expect(page.getByRole("heading", { name })).toBeVisible();
  await page.goBack();
  await checkList();
  await page.reload();
  await checkList();
});

test("a wrong field shows its own error on that field, saving is held back, and changing type keeps the name", async ({ page }) => {
  await signUp(page, newAccount("errors"));
  await openAddForm(page, teamSlugOf(page));
  await choose(page, "Registry type", "Amazon ECR", { exact: true });
  await page.getByLabel("Name", { exact: true }).fill("Broken ECR");
  // The region is chosen from AWS's list, like an Artifact Registry location.
  await fillCredentials(page, "ECR", { ...EXAMPLE_CREDENTIALS.ECR, accessKeyId: "ABCDIOSFODNN7EXAMPLE", secretAccessKey: "short" });
  await page.getByRole("button", { name: "Test connection" }).click();
  await expect(page.getByText("An access key ID starts with AKIA (long-term) or ASIA (temporary)")).toBeVisible();
  await expect(page.getByText("A secret access key is exactly 40 characters (this one has 5)")).toBeVisible();
  await expect(page.getByTestId("test-result")).toContainText("Some fields are not valid: see the message on each field.");
  // Focus goes to the first field to fix.
  await expect(page.getByLabel("Access key ID", { exact: true })).toBeFocused();
  await expect(page.getByLabel("Access key ID", { exact: true })).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByRole("combobox", { name: "Region", exact: true })).toHaveAttribute("aria-invalid", "false");
  await expectAccessible(page, "registry form with field errors");
  await page.getByRole("button", { name: "Save registry" }).click();
  await expect(page).toHaveURL(/\/new$/);

  await choose(page, "Registry type", "Custom / Self-hosted", { exact: true });
  await expect(page.getByLabel("Name", { exact: true })).toHaveValue("Broken ECR");
  await expect(page.getByLabel("Registry URL")).toBeVisible();
  await expect(page.getByLabel("Region", { exact: true })).toHaveCount(0);
});

test("import a registry from YAML, then export it without the secret", async ({ page }) => {
  await signUp(page, newAccount("import"));
  await openAddForm(page, teamSlugOf(page));
  await page.getByRole("button", { name: "Import from YAML or JSON" }).click();
  await page
    .getByLabel("Paste a registry document")
    .fill(`name: Imported Quay\ntype: Quay\ncredentials:\n  username: myorg+deployer\n  token: ${EXAMPLE_CREDENTIALS.Quay.token}\n`);
  await page.getByRole("button", { name: "Fill the form" }).click();
  await expect(page.getByLabel("Name", { exact: true })).toHaveValue("Imported Quay");
  await expect(page.getByRole("combobox", { name: "Registry type" })).toContainText("Red Hat Quay");
  await page.getByRole("button", { name: "Save registry" }).click();
  await expect(page.getByRole("heading", { name: "Imported Quay" })).toBeVisible();
  await page.getByRole("button", { name: "Export" }).click();
  await expect(page.getByTestId("export-yaml")).toContainText("username: myorg+deployer");
  await expect(page.getByTestId("export-yaml")).not.toContainText(EXAMPLE_CREDENTIALS.Quay.token!);
});

test("rotate a token: the list shows the update, and the secret never reaches the browser", async ({ page }) => {
  const seen: string[] = [];
  page.on("response", async (res) => {
    const body = await res.text().catch(() => "");
    seen.push(body);
  });
  await signUp(page, newAccount("rotate"));
  const teamSlug = teamSlugOf(page);
  const oldToken = "ghp_" + "0ld0ld0ld0ld0ld0ld0ld0ld0ld0ld0ld0ld";
  const newToken = "ghp_" + "N3wN3wN3wN3wN3wN3wN3wN3wN3wN3wN3wN3w";
  await openAddForm(page, teamSlug);
  await page.getByLabel("Name", { exact: true }).fill("Rotating GHCR");
  await fillCredentials(page, "GHCR", { username: "octocat", token: oldToken });
  await page.getByRole("button", { name: "Save registry" }).click();
  await expect(page.getByRole("heading", { name: "Rotating GHCR" })).toBeVisible();

  await page.getByRole("link", { name: "Edit / rotate" }).click();
  const token = page.getByLabel("Token", { exact: true });
  await expect(token).toHaveValue("");
  await expect(token).toHaveAttribute("placeholder", /unchanged/);
  await expect(token).toHaveAttribute("type", "password");
  await token.fill(newToken);
  await page.getByRole("button", { name: "Show token" }).click();
  await expect(token).toHaveAttribute("type", "text");
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByText(/Credentials are now version 2/)).toBeVisible();
  await expect(page.getByTestId("audit-history")).toContainText("Credentials rotated");
  await expect(page.getByTestId("audit-history")).toContainText("token → version 2");

  // The live check asks ghcr.io itself (unreachable from a sandbox, "invalid" for these made-up
  // tokens elsewhere): either way its verdict is recorded and shown.
  await page.getByRole("button", { name: "Test connection" }).click();
  await expect(page.getByTestId("last-test")).toContainText("ghcr.io");

  await page.goto(`/t/${teamSlug}/settings/registries`);
  await expect(page.getByTestId("registry-row-Rotating GHCR")).toContainText(/unreachable|invalid/);
  await expect(page.getByTestId("registry-row-Rotating GHCR")).toContainText("credentials v2");
  await page.goto(page.url().replace(/\?.*$/, ""));
  await page.getByRole("link", { name: "Rotating GHCR" }).click();
  await page.getByRole("link", { name: "Edit / rotate" }).click();
  await expect(page.getByLabel("Token", { exact: true })).toHaveValue("");

  const everything = [...seen, await page.content()].join("\n");
  // The browser sent the tokens (it typed them), but nothing the server answered contains one.
  expect(everything).not.toContain(newToken);
  expect(everything).not.toContain(oldToken);
  expect(everything).not.toContain(newToken.slice(4, 20));
});

test("only the creator may delete a registry", async ({ page, browser }) => {
  const owner = newAccount("owner");
  const colleague = newAccount("colleague");
  const other = await browser.newPage();
  await signUp(other, colleague);
  await signUp(page, owner);
  const teamSlug = teamSlugOf(page);
  await page.goto(`/t/${teamSlug}/settings/team`);
  await page.getByLabel("E-mail").fill(colleague.email);
  await page.getByRole("button", { name: "Add member" }).click();
  await expect(page.getByTestId(`member-${colleague.email}`)).toBeVisible();

  // The colleague adds a registry to the owner's team.
  await openAddForm(other, teamSlug);
  await choose(other, "Registry type", "Public (no auth)", { exact: true });
  await other.getByLabel("Name", { exact: true }).fill("Colleague's mirror");
  await other.getByRole("button", { name: "Save registry" }).click();
  await expect(other.getByRole("heading", { name: "Colleague's mirror" })).toBeVisible();
  const registryUrl = other.url();

  // The team owner is not its creator: deleting is refused, with the reason.
  await page.goto(registryUrl);
  await expect(page.getByRole("button", { name: "Delete" })).toBeDisabled();
  await expect(page.getByText(`Only ${colleague.name}, who added this registry, can delete it. Ask them; if they leave the team, a team owner can.`)).toBeVisible();

  // The creator deletes it.
  await other.getByRole("button", { name: "Delete" }).click();
  await other.getByRole("button", { name: "Delete registry" }).click();
  await expect(other.getByText("Registry “Colleague's mirror” deleted")).toBeVisible();
  await expect(other).toHaveURL(new RegExp(`/t/${teamSlug}/settings/registries$`));
  await expect(other.getByTestId("registry-row-Colleague's mirror")).toHaveCount(0);
  await page.reload();
  await expect(page.getByRole("heading", { name: "Not found" })).toBeVisible();
  await other.close();
});
