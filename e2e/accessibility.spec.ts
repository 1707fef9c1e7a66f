import { expect, test, type Page, type TestInfo } from "@playwright/test";
import { REGISTRY_TYPES } from "../lib/registries/catalog";
import { startKubeServer, type KubeServer } from "../tests/support/kube-server";
import { expectAccessible } from "./a11y";
import { newAccount, signUp, teamSlugOf } from "./helpers";

/**
 * axe-core on every page state a user meets, at a laptop's and a phone's size: signed out,
 * lists empty and full, every form with its errors, every dialog and menu open. 0 critical and
 * 0 serious violations each; a screenshot of each state is attached to the test's results.
 */

let kube: KubeServer;
test.beforeAll(async () => {
  kube = await startKubeServer();
});
test.afterAll(async () => {
  await kube?.close();
});

const VIEWPORTS = [
  { name: "desktop", width: 1280, height: 800 },
  { name: "mobile", width: 390, height: 844 },
] as const;

async function choose(page: Page, label: string, option: string | RegExp) {
  await page.getByRole("combobox", { name: label, exact: true }).click();
  await page.getByRole("option", { name: option, exact: typeof option === "string" }).click();
}

for (const viewport of VIEWPORTS) {
  test.describe(`at ${viewport.width}×${viewport.height}`, () => {
    test.use({ viewport: { width: viewport.width, height: viewport.height }, reducedMotion: "reduce" });

    test("every page state has no critical or serious violation", async ({ page, browser }, testInfo) => {
      test.setTimeout(600_000);
      const mobile = viewport.name === "mobile";
      let states = 0;
      const check = async (state: string, on: Page = page) => {
        await expectAccessible(on, `${viewport.name}: ${state}`);
        await attachScreenshot(on, testInfo, `${viewport.name} ${String(++states).padStart(2, "0")} ${state}`);
      };
      /** The navigation: on a phone it sits behind the menu button. */
      const openNavigation = async () => {
        const button = page.getByRole("button", { name: "Open menu" });
        if (mobile && (await button.isVisible())) await button.click();
      };

      // Signed out.
      await page.goto("/sign-in");
      await check("sign-in");
      await page.getByRole("button", { name: "Sign in" }).click();
      await expect(page.getByText("Enter your password")).toBeVisible();
      await check("sign-in with errors");
      await page.goto("/sign-up");
      await check("sign-up");
      await page.getByRole("button", { name: "Create account" }).click();
      await expect(page.getByText("Enter your name")).toBeVisible();
      await check("sign-up with errors");
      await page.goto("/no-such-page");
      await check("404 outside the dashboard");

      // Right after sign-up: the registries list, empty.
      await signUp(page, newAccount(`a11y-${viewport.name}`));
      const teamSlug = teamSlugOf(page);
      const base = `/t/${teamSlug}`;
      await expect(page.getByRole("heading", { name: "No registries yet" })).toBeVisible();
      await check("registries, empty (the dashboard after sign-up)");

      // Navigation, menus and the create-team dialog.
      if (mobile) {
        await openNavigation();
        await check("navigation open");
      }
      await page.getByRole("button", { name: /Switch team/ }).click();
      await check("team switcher open");
      await page.getByRole("menuitem", { name: "Create team" }).click();
      await expect(page.getByRole("dialog", { name: "Create a team" })).toBeVisible();
      await page.getByRole("dialog").getByRole("button", { name: "Create team" }).click();
      await expect(page.getByText("Enter a team name")).toBeVisible();
      await check("create-team dialog with an error");
      await page.keyboard.press("Escape");
      await openNavigation();
      await page.getByRole("button", { name: /Account menu/ }).click();
      await check("account menu open");
      await page.keyboard.press("Escape");

      // The add form of every registry type, saved empty: each field says what it needs.
      await page.goto(`${base}/settings/registries/new`);
      await check("add registry");
      for (const def of REGISTRY_TYPES) {
        await choose(page, "Registry type", def.label);
        await page.getByLabel("Name", { exact: true }).fill("");
        await page.getByRole("button", { name: "Save registry" }).click();
        await expect(page.getByText("Enter a name for this registry")).toBeVisible();
        await check(`add ${def.label} with errors`);
      }

      // A registry of our own, and one more, so the list is full.
      for (const name of ["Mirror", "Company registry"]) {
        await page.goto(`${base}/settings/registries/new`);
        await choose(page, "Registry type", name === "Mirror" ? "Public (no auth)" : "Custom / Self-hosted");
        await page.getByLabel("Name", { exact: true }).fill(name);
        if (name !== "Mirror") {
          await page.getByLabel("Registry URL").fill("https://registry.example.com:5000");
          await page.getByLabel("Username", { exact: true }).fill("deployer");
          await page.getByLabel("Password", { exact: true }).fill("a-long-registry-password");
        }
        await page.getByRole("button", { name: "Save registry" }).click();
        await expect(page.getByRole("heading", { name })).toBeVisible();
      }
      await check("registry page");
      await page.getByRole("button", { name: "Export" }).click();
      await check("export dialog open");
      await page.keyboard.press("Escape");
      await page.getByRole("button", { name: "Delete" }).click();
      await expect(page.getByRole("alertdialog")).toBeVisible();
      await check("delete registry dialog open");
      await page.getByRole("button", { name: "Cancel" }).click();
      await page.getByRole("link", { name: "Edit / rotate" }).click();
      await expect(page.getByRole("heading", { name: "Edit or rotate credentials" })).toBeVisible();
      await check("edit registry");
      await page.getByLabel("Registry URL").fill("not a url");
      await page.getByRole("button", { name: "Test connection" }).click();
      await expect(page.getByLabel("Registry URL")).toBeFocused();
      await check("edit registry with errors, focus on the first");
      await page.goto(`${base}/settings/registries`);
      await expect(page.getByTestId("registry-row-Company registry")).toBeVisible();
      await check("registries, full");

      // Environments: empty, the form with its errors, one environment, its page.
      await page.goto(`${base}/environments`);
      await check("environments, empty");
      await page.getByRole("link", { name: "Add environment" }).first().click();
      await check("add environment");
      await page.getByRole("button", { name: "Add environment" }).click();
      await expect(page.getByText("Enter a name").first()).toBeVisible();
      await check("add environment with errors");
      const envName = `prod-${viewport.name}`;
      await page.getByLabel("Name", { exact: true }).fill(envName);
      await page.getByLabel("Kubeconfig").fill(kube.kubeconfigYaml());
      await page.getByRole("button", { name: "Add environment" }).click();
      await expect(page.getByRole("heading", { name: envName })).toBeVisible();
      await check("environment page, no containers");
      await page.getByRole("button", { name: "Delete" }).click();
      await check("delete environment dialog open");
      await page.getByRole("button", { name: "Cancel" }).click();

      // A container: its form with errors, its page with the preview.
      await page.getByRole("link", { name: "Add container" }).first().click();
      await check("add container");
      await page.getByRole("button", { name: "Add container" }).click();
      await expect(page.getByText("Enter a name").first()).toBeVisible();
      await check("add container with errors");
      await page.getByLabel("Name", { exact: true }).fill("web");
      await page.getByLabel("Image", { exact: true }).fill("docker.io/library/nginx");
      await page.getByLabel("Tag or digest").fill("1.27");
      await page.getByRole("button", { name: "Add container" }).click();
      await expect(page.getByRole("heading", { name: "web" })).toBeVisible();
      await check("container page with its preview");
      await page.getByRole("button", { name: "Delete" }).click();
      await check("delete container dialog open");
      await page.getByRole("button", { name: "Cancel" }).click();
      await page.goto(`${base}/environments`);
      await check("environments, full");
      await page.getByRole("link", { name: envName }).click();
      await check("environment page with a container");

      // The team: a colleague with an account, an invitation, every dialog.
      const colleague = newAccount(`colleague-${viewport.name}`);
      const other = await (await browser.newContext()).newPage();
      await signUp(other, colleague);
      await other.close();
      await page.goto(`${base}/settings/team`);
      await check("team settings");
      await page.getByLabel("E-mail").fill("not-an-email");
      await page.getByRole("button", { name: "Add member" }).click();
      await check("add member with an error");
      await page.getByLabel("E-mail").fill(colleague.email);
      await page.getByRole("button", { name: "Add member" }).click();
      await expect(page.getByTestId(`member-${colleague.email}`)).toBeVisible();
      const invitee = `invitee-${viewport.name}-${Date.now()}@example.test`;
      await page.getByLabel("E-mail").fill(invitee);
      await page.getByRole("button", { name: "Add member" }).click();
      const link = await page.getByLabel("Invitation link").inputValue();
      await check("invitation link shown, pending invitation listed");
      await page.getByRole("button", { name: `Remove ${colleague.email}` }).click();
      await check("remove member dialog open");
      await page.getByRole("button", { name: "Cancel" }).click();
      await page.getByRole("button", { name: `Revoke the invitation of ${invitee}` }).click();
      await check("revoke invitation dialog open");
      await page.getByRole("button", { name: "Cancel" }).click();
      await page.getByLabel("Team name").fill("");
      await page.getByRole("button", { name: "Rename" }).click();
      await check("rename with an error");
      // This team has an environment, so it cannot be deleted: a new one can.
      await page.goto("/teams/new");
      await check("create a team");
      await page.getByLabel("Team name").fill(`Scratch ${viewport.name}`);
      await page.getByRole("button", { name: "Create team" }).click();
      await expect(page.getByText("your role: owner")).toBeVisible();
      await page.getByRole("button", { name: "Delete team" }).click();
      await page.getByRole("alertdialog").getByRole("textbox").fill(teamSlugOf(page));
      await check("delete team dialog open, slug typed");
      await page.getByRole("button", { name: "Cancel" }).click();

      // The account page, a 404 inside the dashboard.
      await page.goto("/account");
      await check("account");
      await page.getByRole("button", { name: "Change password" }).click();
      await check("change password with errors");
      await page.goto(`${base}/settings/registries/reg-000000000000`);
      await expect(page.getByRole("heading", { name: "Not found" })).toBeVisible();
      await check("404 inside the dashboard");

      // The invitation, opened signed out.
      const guest = await (await browser.newContext({ viewport: { width: viewport.width, height: viewport.height }, reducedMotion: "reduce" })).newPage();
      await guest.goto(link);
      await expect(guest.getByRole("heading", { name: /^Join / })).toBeVisible();
      await check("invitation, signed out", guest);
      await guest.getByRole("link", { name: "Create an account to join" }).click();
      await expect(guest.getByLabel("E-mail")).toHaveValue(invitee);
      await check("sign-up from an invitation", guest);
      await guest.close();

      expect(states).toBeGreaterThan(40);
      testInfo.annotations.push({ type: "axe", description: `${states} states at ${viewport.width}×${viewport.height}: 0 critical, 0 serious` });
    });
  });
}

/** Kept in the test's output folder (test-results/…) and attached to its report. */
async function attachScreenshot(page: Page, testInfo: TestInfo, name: string) {
  const path = testInfo.outputPath(`${name.replace(/[^a-z0-9]+/gi, "-")}.png`);
  await page.screenshot({ path, fullPage: true });
  await testInfo.attach(name, { path, contentType: "image/png" });
}
