import { expect, test } from "@playwright/test";
import { newAccount, signIn, signOut, signUp, teamSlugOf } from "./helpers";

test("sign up, sign out, sign in, and a wrong password", async ({ page }) => {
  const account = newAccount("auth");
  await signUp(page, account);
  await expect(page.getByRole("heading", { name: "Container Registries" })).toBeVisible();
  await expect(page.getByRole("button", { name: /Switch team, current: .*'s team/ })).toBeVisible();

  await signOut(page);
  await signIn(page, { email: account.email, password: "not-the-password" });
  await expect(page.getByRole("alert").filter({ hasText: "Wrong e-mail or password" })).toBeVisible();
  await expect(page).toHaveURL(/\/sign-in/);

  await signIn(page, account);
  await expect(page).toHaveURL(/\/t\/[a-z0-9-]+\/settings\/registries$/);
  await expect(page.getByText(account.email)).toBeVisible();
});

test("sign-up shows each field's error, including an e-mail already registered", async ({ page }) => {
  await page.goto("/sign-up");
  await page.getByLabel("Name").fill("Someone");
  await page.getByLabel("E-mail").fill("not-an-email");
  await page.getByLabel("Password").fill("short");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByText("Enter a valid e-mail address, like name@example.com")).toBeVisible();
  await expect(page.getByText("Password must be at least 10 characters")).toBeVisible();
  await expect(page.getByLabel("E-mail")).toHaveAttribute("aria-invalid", "true");

  const taken = newAccount("taken");
  const other = await page.context().browser()!.newPage();
  await signUp(other, taken);
  await other.close();
  await page.getByLabel("E-mail").fill(taken.email);
  await page.getByLabel("Password").fill("long-enough-password");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByText("An account with this e-mail already exists. Sign in instead.")).toBeVisible();
});

test("a signed-out visit to a dashboard page lands on sign-in and returns after it", async ({ page, browser }) => {
  const account = newAccount("return");
  await signUp(page, account);
  const target = `/t/${teamSlugOf(page)}/settings/team`;

  const fresh = await browser.newPage();
  await fresh.goto(target);
  await expect(fresh).toHaveURL(/\/sign-in\?callbackUrl=/);
  await signIn(fresh, account);
  await expect(fresh).toHaveURL(new RegExp(`${target}$`));
  await expect(fresh.getByRole("heading", { name: "Team", exact: true })).toBeVisible();
  await fresh.close();
});
