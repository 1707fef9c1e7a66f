import { expect, test, type Browser, type Page } from "@playwright/test";
import { PASSWORD, choose, createTeamFromSwitcher, newAccount, signUp, teamSlugOf, type Account } from "./helpers";

/**
 * The team page: invitations for people without an account (accepted at sign-up and at sign-in,
 * revoked), removing a member, renaming and deleting the team, and a registry whose creator left.
 * Every destructive step goes through the same confirm dialog.
 */

async function teamPage(page: Page) {
  await page.goto(`/t/${teamSlugOf(page)}/settings/team`);
  await expect(page.getByRole("heading", { name: "Team", exact: true })).toBeVisible();
}

async function invite(page: Page, email: string, role = "member") {
  await page.getByLabel("E-mail").fill(email);
  if (role !== "member") {
    await page.getByRole("combobox", { name: "Role", exact: true }).click();
    await page.getByRole("option", { name: role, exact: true }).click();
  }
  await page.getByRole("button", { name: "Add member" }).click();
  await expect(page.getByTestId("invitation-link")).toContainText(`${email} has no account yet, so they are invited as ${role}`);
  return page.getByLabel("Invitation link").inputValue();
}

async function newPage(browser: Browser) {
  return (await browser.newContext()).newPage();
}

async function signUpAs(browser: Browser, account: Account) {
  const page = await newPage(browser);
  await signUp(page, account);
  return page;
}

test("an invitation link: the person signs up from it, lands in the team, and the link works once", async ({ page, browser }) => {
  const owner = newAccount("owner");
  await signUp(page, owner);
  const teamSlug = teamSlugOf(page);
  await teamPage(page);
  const newcomer = newAccount("newcomer");
  const link = await invite(page, newcomer.email, "admin");
  expect(link).toMatch(new RegExp(`/invite/[A-Za-z0-9_-]{43}$`));
  await page.reload();
  await expect(page.getByTestId(`invitation-${newcomer.email}`)).toContainText("admin");

  const guest = await newPage(browser);
  await guest.goto(link);
  await expect(guest.getByRole("heading", { name: `Join ${owner.name}'s team` })).toBeVisible();
  await expect(guest.getByText(`${owner.name} invited ${newcomer.email} to join ${owner.name}'s team as admin.`)).toBeVisible();
  await guest.getByRole("link", { name: "Create an account to join" }).click();
  await expect(guest.getByRole("heading", { name: `Create your account to join ${owner.name}'s team` })).toBeVisible();
  await expect(guest.getByLabel("E-mail")).toHaveValue(newcomer.email);
  await guest.getByLabel("Name").fill(newcomer.name);
  await guest.getByLabel("Password").fill(newcomer.password);
  await guest.getByRole("button", { name: "Create account" }).click();
  // Straight into the team that invited them, not their personal one.
  await expect(guest).toHaveURL(new RegExp(`/t/${teamSlug}/settings/registries$`));
  await expect(guest.getByRole("heading", { name: "Container Registries" })).toBeVisible();

  await page.reload();
  await expect(page.getByTestId(`member-${newcomer.email}`)).toContainText("admin");
  await expect(page.getByTestId(`invitation-${newcomer.email}`)).toHaveCount(0);
  await expect(page.getByTestId("team-history")).toContainText(`${newcomer.email} accepted the invitation as admin`);

  // Used once: the link now says so.
  const again = await newPage(browser);
  await again.goto(link);
  await expect(again.getByText("This invitation has already been used.")).toBeVisible();
});

test("an invitation is accepted at sign-in by an account made without the link; another account is told whose it is", async ({ page, browser }) => {
  await signUp(page, newAccount("owner"));
  const teamSlug = teamSlugOf(page);
  await teamPage(page);
  const later = newAccount("later");
  const link = await invite(page, later.email);

  // Someone else, signed in, opens the link: it is not theirs.
  const stranger = await signUpAs(browser, newAccount("stranger"));
  await stranger.goto(link);
  await expect(stranger.getByText(`but this invitation is for ${later.email}`)).toBeVisible();

  // The invitee makes an account on their own, signs out, then follows the link and signs in.
  const invitee = await signUpAs(browser, later);
  await invitee.context().clearCookies();
  await invitee.goto(link);
  await invitee.getByRole("link", { name: "I have an account: sign in to join" }).click();
  await expect(invitee.getByLabel("E-mail")).toHaveValue(later.email);
  await invitee.getByLabel("Password").fill(PASSWORD);
  await invitee.getByRole("button", { name: "Sign in" }).click();
  await expect(invitee).toHaveURL(new RegExp(`/t/${teamSlug}/settings/registries$`));
  await page.reload();
  await expect(page.getByTestId(`member-${later.email}`)).toBeVisible();
});

test("revoking an invitation and removing a member go through the confirm dialog", async ({ page, browser }) => {
  await signUp(page, newAccount("owner"));
  const colleague = newAccount("colleague");
  const other = await signUpAs(browser, colleague);
  await teamPage(page);
  await page.getByLabel("E-mail").fill(colleague.email);
  await page.getByRole("button", { name: "Add member" }).click();
  await expect(page.getByText(`${colleague.email} added as member`)).toBeVisible();
  const link = await invite(page, `ghost-${Date.now()}@example.test`);
  await page.reload();

  const revoke = page.getByRole("button", { name: /^Revoke the invitation of ghost-/ });
  await revoke.click();
  const dialog = page.getByRole("alertdialog");
  await expect(dialog).toContainText("The link stops working at once.");
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await expect(page.getByTestId(/^invitation-ghost-/)).toHaveCount(1);
  await revoke.click();
  await dialog.getByRole("button", { name: "Revoke invitation" }).click();
  await expect(page.getByTestId(/^invitation-ghost-/)).toHaveCount(0);
  await other.goto(link);
  await expect(other.getByText(/This invitation was revoked/)).toBeVisible();

  await page.getByRole("button", { name: `Remove ${colleague.email}` }).click();
  await expect(dialog).toContainText("They lose access");
  await dialog.getByRole("button", { name: "Remove member" }).click();
  await expect(page.getByTestId(`member-${colleague.email}`)).toHaveCount(0);
  await expect(page.getByTestId("team-history")).toContainText(`Removed ${colleague.email} (member)`);
});

test("rename a team; two teams of one name differ by slug in the switcher; Create team from the switcher on a phone", async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await signUp(page, newAccount("renamer"));
  const firstSlug = teamSlugOf(page);
  await teamPage(page);
  await page.getByLabel("Team name").fill("Platform");
  await page.getByRole("button", { name: "Rename" }).click();
  await expect(page.getByText("Team renamed to “Platform”")).toBeVisible();
  await expect(page).toHaveURL(new RegExp(`/t/${firstSlug}/settings/team$`));

  // A second team of the same name, created from the switcher (behind the menu on a phone).
  await page.getByRole("button", { name: "Open menu" }).click();
  await createTeamFromSwitcher(page, "Platform");
  await expect(page).toHaveURL(/\/t\/platform[a-z0-9-]*\/settings\/team$/);
  await expect(page.getByText("You are not in any team")).toHaveCount(0);
  await expect(page.getByText("your role: owner")).toBeVisible();
  const secondSlug = teamSlugOf(page);

  await page.getByRole("button", { name: "Open menu" }).click();
  await page.getByRole("button", { name: /Switch team/ }).click();
  const items = page.getByRole("menuitem").filter({ hasText: "Platform" });
  await expect(items).toHaveCount(2);
  const bySlug = (slug: string) => items.filter({ has: page.getByText(slug, { exact: true }) });
  await expect(bySlug(firstSlug)).toHaveCount(1);
  await expect(bySlug(secondSlug)).toHaveCount(1);
  await bySlug(firstSlug).click();
  await expect(page).toHaveURL(new RegExp(`/t/${firstSlug}/settings/registries$`));
});

test("delete a team: refused while it has an environment is said on the page; the owner types its slug; its members lose it", async ({ page, browser }) => {
  await signUp(page, newAccount("owner"));
  await createTeamFromSwitcher(page, "Short lived");
  await expect(page).toHaveURL(/\/t\/short-lived[a-z0-9-]*\/settings\/team$/);
  const slug = teamSlugOf(page);
  const member = newAccount("member");
  const memberPage = await signUpAs(browser, member);
  await page.getByLabel("E-mail").fill(member.email);
  await page.getByRole("button", { name: "Add member" }).click();
  await expect(page.getByTestId(`member-${member.email}`)).toBeVisible();

  // The member sees who can.
  await memberPage.goto(`/t/${slug}/settings/team`);
  await expect(memberPage.getByRole("button", { name: "Delete team" })).toBeDisabled();
  await expect(memberPage.getByText("Only a team owner can delete the team")).toBeVisible();

  await page.getByRole("button", { name: "Delete team" }).click();
  const dialog = page.getByRole("alertdialog");
  await expect(dialog).toContainText("2 memberships: everyone loses access");
  const confirm = dialog.getByRole("button", { name: "Delete team" });
  await expect(confirm).toBeDisabled();
  await dialog.getByLabel(`Type ${slug} to confirm`).fill(slug);
  await confirm.click();
  await expect(page.getByText("Team “Short lived” deleted")).toBeVisible();
  await expect(page).toHaveURL(/\/t\/[a-z0-9-]+\/settings\/registries$/);
  await memberPage.goto(`/t/${slug}/settings/team`);
  await expect(memberPage.getByRole("heading", { name: "Not found" })).toBeVisible();
});

test("a registry whose creator left: the disabled Delete says who can; the owner deletes it, and the team's history says for whom", async ({ page, browser }) => {
  await signUp(page, newAccount("owner"));
  const teamSlug = teamSlugOf(page);
  const creator = newAccount("creator");
  const admin = newAccount("admin");
  const creatorPage = await signUpAs(browser, creator);
  const adminPage = await signUpAs(browser, admin);
  await teamPage(page);
  for (const [who, role] of [[creator, "member"], [admin, "admin"]] as const) {
    await page.getByLabel("E-mail").fill(who.email);
    if (role === "admin") {
      await page.getByRole("combobox", { name: "Role", exact: true }).click();
      await page.getByRole("option", { name: "admin", exact: true }).click();
    }
    await page.getByRole("button", { name: "Add member" }).click();
    await expect(page.getByTestId(`member-${who.email}`)).toBeVisible();
  }

  await creatorPage.goto(`/t/${teamSlug}/settings/registries/new`);
  await choose(creatorPage, "Registry type", "Public (no auth)", { exact: true });
  await creatorPage.getByLabel("Name", { exact: true }).fill("Left behind");
  await creatorPage.getByRole("button", { name: "Save registry" }).click();
  await expect(creatorPage.getByRole("heading", { name: "Left behind" })).toBeVisible();
  const registryUrl = creatorPage.url();

  // While the creator is in the team, even the owner may not.
  await page.goto(registryUrl);
  await expect(page.getByRole("button", { name: "Delete" })).toBeDisabled();
  await expect(page.getByText(`Only ${creator.name}, who added this registry, can delete it. Ask them; if they leave the team, a team owner can.`)).toBeVisible();

  // The creator leaves.
  await creatorPage.goto(`/t/${teamSlug}/settings/team`);
  await creatorPage.getByRole("button", { name: "Leave team" }).click();
  await creatorPage.getByRole("alertdialog").getByRole("button", { name: "Leave team" }).click();
  await expect(creatorPage).not.toHaveURL(new RegExp(`/t/${teamSlug}/`));

  await adminPage.goto(registryUrl);
  await expect(adminPage.getByText(`${creator.name} is no longer in the team, so only a team owner can delete it. Ask an owner.`)).toBeVisible();
  await expect(adminPage.getByRole("button", { name: "Delete" })).toBeDisabled();

  await page.reload();
  await page.getByRole("button", { name: "Delete" }).click();
  await page.getByRole("alertdialog").getByRole("button", { name: "Delete registry" }).click();
  await expect(page).toHaveURL(new RegExp(`/t/${teamSlug}/settings/registries$`));
  await expect(page.getByTestId("registry-row-Left behind")).toHaveCount(0);
  await teamPage(page);
  await expect(page.getByTestId("team-history")).toContainText(`Deleted registry “Left behind” (added by ${creator.name}, who had left)`);
});

test("on a phone the lists are cards: nothing scrolls sideways, every column is there", async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await signUp(page, newAccount("phone"));
  const teamSlug = teamSlugOf(page);
  await page.goto(`/t/${teamSlug}/settings/registries/new`);
  await choose(page, "Registry type", "Custom / Self-hosted", { exact: true });
  await page.getByLabel("Name", { exact: true }).fill("A registry with a rather long name for a phone");
  await page.getByLabel("Registry URL").fill("https://registry.with-a-long-host-name.example.com:5000");
  await page.getByLabel("Username", { exact: true }).fill("deployer");
  await page.getByLabel("Password", { exact: true }).fill("a-long-registry-password");
  await page.getByRole("button", { name: "Save registry" }).click();
  await expect(page.getByRole("heading", { name: "A registry with a rather long name for a phone" })).toBeVisible();

  for (const path of ["settings/registries", "settings/team", "environments"]) {
    await page.goto(`/t/${teamSlug}/${path}`);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow, path).toBe(0);
  }
  await page.goto(`/t/${teamSlug}/settings/registries`);
  const card = page.getByTestId("registry-row-A registry with a rather long name for a phone");
  // Each value with its column's name, the last column included. The names are drawn by the
  // stylesheet (each cell's ::before), so they are read from the rendered style, not the text.
  for (const text of ["registry.with-a-long-host-name.example.com:5000", "never"]) await expect(card).toContainText(text);
  const drawnLabels = await card.locator("td").evaluateAll((cells) => cells.map((cell) => getComputedStyle(cell, "::before").content));
  for (const label of ["Server", "Created by", "Last test", "Containers"]) expect(drawnLabels.join(" ")).toContain(`"${label}"`);
  const box = await card.boundingBox();
  expect(box!.width).toBeLessThanOrEqual(390);
});
