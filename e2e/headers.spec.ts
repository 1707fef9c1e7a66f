import { expect, test, type Page } from "@playwright/test";
import { newAccount, signUp, teamSlugOf } from "./helpers";

function expectSecurityHeaders(response: { headers(): Record<string, string> } | null) {
  const headers = response!.headers();
  const policy = headers["content-security-policy"] ?? "";
  expect(policy).toContain("frame-ancestors 'none'");
  expect(policy).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]{24}' 'strict-dynamic'/);
  expect(policy).toContain("object-src 'none'");
  expect(headers["x-content-type-options"]).toBe("nosniff");
  expect(headers["referrer-policy"]).toBe("strict-origin-when-cross-origin");
  expect(headers["x-frame-options"]).toBe("DENY");
  return policy.match(/'nonce-([^']+)'/)![1]!;
}

/** Records every Content-Security-Policy violation the page reports, from the first script on. */
async function watchViolations(page: Page): Promise<string[]> {
  const violations: string[] = [];
  page.on("console", (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
  });
  await page.exposeFunction("reportViolation", (text: string) => violations.push(text));
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) => {
      (window as unknown as { reportViolation: (t: string) => void }).reportViolation(`${e.violatedDirective}: ${e.blockedURI}`);
    });
  });
  return violations;
}

test("every page carries the CSP with a fresh nonce, frame-ancestors 'none', nosniff and the referrer policy", async ({ page, request }) => {
  const nonces = new Set<string>();
  for (const path of ["/sign-in", "/sign-in", "/sign-up", "/no-such-page"]) {
    nonces.add(expectSecurityHeaders(await request.get(path, { maxRedirects: 0 })));
  }
  expect(nonces.size).toBe(4);
  expect((await request.get("/no-such-page")).status()).toBe(404);

  await signUp(page, newAccount("headers"));
  const dashboard = await page.goto(`/t/${teamSlugOf(page)}/settings/team`);
  expectSecurityHeaders(dashboard);
  expectSecurityHeaders(await page.goto("/account"));
});

test("another site cannot frame the sign-in page", async ({ page, baseURL }) => {
  await page.setContent(`<iframe title="framed" src="${baseURL}/sign-in"></iframe>`);
  // setContent waits for the frame's load; a frame the browser refused holds its error page.
  const frame = page.frames().find((f) => f !== page.mainFrame())!;
  expect(frame.url()).toMatch(/^chrome-error:/);
  await expect(page.frameLocator("iframe[title=framed]").getByRole("button", { name: "Sign in" })).toHaveCount(0);
});

test("sign-in, the dashboard, the registry form and the account page run under the CSP without a violation", async ({ page }) => {
  const violations = await watchViolations(page);
  await page.goto("/sign-up");
  // The form validates in the browser: its scripts ran.
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByText("Enter your name")).toBeVisible();

  const account = newAccount("csp");
  await signUp(page, account);
  await expect(page.getByRole("heading", { name: "Container Registries" })).toBeVisible();
  await page.getByRole("link", { name: "Add registry" }).first().click();
  await expect(page.getByRole("heading", { name: "Add registry" })).toBeVisible();
  await page.getByRole("combobox", { name: "Registry type", exact: true }).click();
  await page.getByRole("option", { name: "Docker Hub", exact: true }).click();
  await page.getByLabel("Name", { exact: true }).fill("CSP check");
  // Validated in the browser (nothing is sent anywhere): the empty Docker ID is marked.
  await page.getByRole("button", { name: "Save registry" }).click();
  await expect(page.getByLabel("Docker ID", { exact: true })).toHaveAttribute("aria-invalid", "true");

  await page.getByRole("button", { name: "Account menu" }).click();
  await page.getByRole("menuitem", { name: "Account settings" }).click();
  await expect(page.getByRole("heading", { name: "Account", exact: true })).toBeVisible();
  await page.goto("/sign-in");
  await expect(page.getByRole("button", { name: "Sign in" })).toBeVisible();
  expect(violations).toEqual([]);
});
