import { expect, test, type Browser, type Page } from "@playwright/test";
import { newAccount, signIn, signOut, signUp, type Account } from "./helpers";

/** A second browser, signed in to the same account: another device. */
async function anotherDevice(browser: Browser, account: Account, dashboard: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await page.goto(dashboard);
  await signIn(page, account);
  await expect(page).toHaveURL(dashboard);
  return page;
}

async function openAccountMenu(page: Page) {
  await page.getByRole("button", { name: "Account menu" }).click();
}

test("after sign-out, a copy of the old session cookie no longer opens a dashboard page", async ({ page, browser }) => {
  const account = newAccount("revoke");
  await signUp(page, account);
  const dashboard = page.url();

  // Someone copied the cookie while the session was live: it works for them…
  const copy = await browser.newContext();
  await copy.addCookies(await page.context().cookies());
  const thief = await copy.newPage();
  await thief.goto(dashboard);
  await expect(thief.getByRole("heading", { name: "Container Registries" })).toBeVisible();

  // …until the owner signs out: the server refuses that session from then on.
  await signOut(page);
  await thief.goto(dashboard);
  await expect(thief).toHaveURL(/\/sign-in\?callbackUrl=/);
  await copy.close();
});

test("“Sign out everywhere” signs out another browser's session", async ({ page, browser }) => {
  const account = newAccount("everywhere");
  await signUp(page, account);
  const dashboard = page.url();
  const laptop = await anotherDevice(browser, account, dashboard);

  await openAccountMenu(page);
  await page.getByRole("menuitem", { name: "Sign out everywhere" }).click();
  await expect(page).toHaveURL(/\/sign-in/);

  await laptop.reload();
  await expect(laptop).toHaveURL(/\/sign-in\?callbackUrl=/);
  // Signing in again afterwards works as ever.
  await signIn(laptop, account);
  await expect(laptop).toHaveURL(dashboard);
  await laptop.context().close();
});

test("changing the password signs out the other sessions and keeps this one", async ({ page, browser }) => {
  const account = newAccount("password");
  await signUp(page, account);
  const dashboard = page.url();
  const laptop = await anotherDevice(browser, account, dashboard);

  await openAccountMenu(page);
  await page.getByRole("menuitem", { name: "Account settings" }).click();
  await expect(page.getByRole("heading", { name: "Account", exact: true })).toBeVisible();

  // Each field says what is wrong with it.
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(page.getByLabel("Current password")).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByText("Enter your current password")).toBeVisible();
  await expect(page.getByText("Password must be at least 10 characters")).toBeVisible();
  await page.getByLabel("Current password").fill("not my password");
  await page.getByLabel("New password", { exact: true }).fill("a new passphrase 42");
  await page.getByLabel("New password, again").fill("a new passphrase 42");
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(page.getByText("This is not your current password")).toBeVisible();

  await page.getByLabel("Current password").fill(account.password);
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(page.getByText("Password changed. Your other sessions are signed out.")).toBeVisible();

  // This browser stays signed in…
  await page.goto(dashboard);
  await expect(page.getByRole("heading", { name: "Container Registries" })).toBeVisible();
  // …the other is signed out, and only the new password lets it back in.
  await laptop.reload();
  await expect(laptop).toHaveURL(/\/sign-in\?callbackUrl=/);
  await signIn(laptop, account);
  await expect(laptop.getByRole("alert").filter({ hasText: "Wrong e-mail or password" })).toBeVisible();
  await signIn(laptop, { email: account.email, password: "a new passphrase 42" });
  await expect(laptop).toHaveURL(dashboard);
  await laptop.context().close();
});
