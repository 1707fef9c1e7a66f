import { randomBytes } from "node:crypto";
import { expect, type Page } from "@playwright/test";

export const PASSWORD = "e2e-password-123";

export function newAccount(label: string) {
  const tag = randomBytes(4).toString("hex");
  return { name: `${label} ${tag}`, email: `${label}-${tag}@example.test`, password: PASSWORD };
}

export type Account = ReturnType<typeof newAccount>;

export async function signUp(page: Page, account: Account) {
  await page.goto("/sign-up");
  await page.getByLabel("Name").fill(account.name);
  await page.getByLabel("E-mail").fill(account.email);
  await page.getByLabel("Password").fill(account.password);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page).toHaveURL(/\/t\/[a-z0-9-]+\/settings\/registries$/);
}

export async function signIn(page: Page, account: Pick<Account, "email" | "password">) {
  await page.getByLabel("E-mail").fill(account.email);
  await page.getByLabel("Password").fill(account.password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

export async function signOut(page: Page) {
  await page.getByRole("button", { name: "Account menu" }).click();
  await page.getByRole("menuitem", { name: "Sign out", exact: true }).click();
  await expect(page).toHaveURL(/\/sign-in/);
}

export function teamSlugOf(page: Page): string {
  const m = new URL(page.url()).pathname.match(/^\/t\/([^/]+)/);
  if (!m?.[1]) throw new Error(`not on a team page: ${page.url()}`);
  return m[1];
}

/** Picks `option` in the select labelled `label`; `exact` matches the option's whole name only. */
export async function choose(page: Page, label: string, option: string | RegExp, { exact = false } = {}) {
  await page.getByRole("combobox", { name: label, exact: true }).click();
  await page.getByRole("option", { name: option, exact }).click();
}

/** Creates a team from the team switcher, as a user does; the caller checks where it lands. */
export async function createTeamFromSwitcher(page: Page, name: string) {
  await page.getByRole("button", { name: /Switch team/ }).click();
  await page.getByRole("menuitem", { name: "Create team" }).click();
  const dialog = page.getByRole("dialog", { name: "Create a team" });
  await dialog.getByLabel("Team name").fill(name);
  await dialog.getByRole("button", { name: "Create team" }).click();
}

/**
 * Through the UI, as a user: a Custom registry "Team registry", a Kubernetes environment on
 * `kubeconfig` (slug `<slugPrefix>-<random>`) and a container `container` from the registry's
 * `team/app:1.0`, ending on the container's page. Returns the registry page's URL and the slug.
 */
export async function privateContainer(
  page: Page,
  teamSlug: string,
  opts: { registry: { url: string; host: string }; username: string; password: string; kubeconfig: string; slugPrefix: string; container: string },
) {
  await page.goto(`/t/${teamSlug}/settings/registries/new`);
  await choose(page, "Registry type", "Custom / Self-hosted");
  await page.getByLabel("Name", { exact: true }).fill("Team registry");
  await page.getByLabel("Registry URL").fill(opts.registry.url);
  await page.getByLabel("Username", { exact: true }).fill(opts.username);
  await page.getByLabel("Password", { exact: true }).fill(opts.password);
  await page.getByRole("button", { name: "Save registry" }).click();
  await expect(page.getByRole("heading", { name: "Team registry" })).toBeVisible();
  const registryUrl = page.url();

  const slug = `${opts.slugPrefix}-${Math.random().toString(36).slice(2, 7)}`;
  await page.goto(`/t/${teamSlug}/environments`);
  await page.getByRole("link", { name: "Add environment" }).first().click();
  await page.getByLabel("Name", { exact: true }).fill(slug);
  await page.getByLabel("Kubeconfig").fill(opts.kubeconfig);
  await page.getByRole("button", { name: "Add environment" }).click();
  await expect(page.getByRole("heading", { name: slug })).toBeVisible();
  await page.getByRole("link", { name: "Add container" }).first().click();
  await page.getByLabel("Name", { exact: true }).fill(opts.container);
  await choose(page, "Registry", /Team registry/);
  await page.getByLabel("Image", { exact: true }).fill(`${opts.registry.host}/team/app`);
  await page.getByLabel("Tag or digest").fill("1.0");
  await page.getByRole("button", { name: "Add container" }).click();
  await expect(page.getByRole("heading", { name: opts.container })).toBeVisible();
  return { registryUrl, slug };
}
