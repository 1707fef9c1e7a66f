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
