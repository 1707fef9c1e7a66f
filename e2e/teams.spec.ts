import { expect, test } from "@playwright/test";
import { createTeamFromSwitcher, newAccount, signUp, teamSlugOf } from "./helpers";

test("add a second user to the team, and switch teams", async ({ page, browser }) => {
  const alice = newAccount("alice");
  const bob = newAccount("bob");
  const bobPage = await browser.newPage();
  await signUp(bobPage, bob);
  await signUp(page, alice);
  const aliceTeam = teamSlugOf(page);

  await page.getByRole("link", { name: "Team" }).click();
  await page.getByLabel("E-mail").fill(bob.email);
  await page.getByLabel("Role", { exact: true }).click();
  await page.getByRole("option", { name: "admin" }).click();
  await page.getByRole("button", { name: "Add member" }).click();
  await expect(page.getByText(`${bob.email} added as admin`)).toBeVisible();
  await expect(page.getByTestId(`member-${bob.email}`)).toContainText("admin");

  // Bob now belongs to two teams and switches to Alice's.
  await bobPage.reload();
  await bobPage.getByRole("button", { name: /Switch team/ }).click();
  await bobPage.getByRole("menuitem", { name: new RegExp(alice.name) }).click();
  await expect(bobPage).toHaveURL(new RegExp(`/t/${aliceTeam}/settings/registries$`));
  await expect(bobPage.getByRole("button", { name: new RegExp(`Switch team, current: ${alice.name}`) })).toBeVisible();

  // A team Bob does not belong to is "not found", not "forbidden".
  await bobPage.goto("/t/no-such-team-here/settings/team");
  await expect(bobPage.getByRole("heading", { name: "Not found" })).toBeVisible();
  await bobPage.close();
});

test("create a team from the switcher and land in it as owner", async ({ page }) => {
  await signUp(page, newAccount("creator"));
  await createTeamFromSwitcher(page, "Platform Crew");
  await expect(page).toHaveURL(/\/t\/platform-crew[a-z0-9-]*\/settings\/team$/);
  await expect(page.getByText("your role: owner")).toBeVisible();
  await expect(page.getByRole("button", { name: /Switch team, current: Platform Crew/ })).toBeVisible();
});
