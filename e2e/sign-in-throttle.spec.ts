import { expect, test, type APIRequestContext } from "@playwright/test";
import { newAccount, signIn, signOut, signUp } from "./helpers";

/** One password attempt through Auth.js's own credentials endpoint; the code in the redirect says what happened. */
async function attempt(request: APIRequestContext, email: string, password: string, headers: Record<string, string>) {
  const { csrfToken } = (await (await request.get("/api/auth/csrf")).json()) as { csrfToken: string };
  const response = await request.post("/api/auth/callback/credentials", {
    form: { csrfToken, email, password, callbackUrl: "/" },
    headers,
    maxRedirects: 0,
  });
  return new URL(response.headers()["location"] ?? "", "http://x").searchParams.get("code");
}

test("a client cannot escape the sign-in limit by forging X-Forwarded-For or the peer-address header", async ({ page, request }) => {
  const account = newAccount("forged");
  await signUp(page, account);

  const forged = (i: number) => ({ "x-forwarded-for": `203.0.113.${i}`, "x-dockyard-peer-address": `198.51.100.${i}` });
  const codes: (string | null)[] = [];
  for (let i = 1; i <= 11; i++) codes.push(await attempt(request, account.email, `guess ${i}`, forged(i)));
  expect(codes).toEqual([...Array(10).fill("credentials"), "rate_limited"]);
  // From this same address even the right password is refused now.
  expect(await attempt(request, account.email, account.password, forged(12))).toBe("rate_limited");
});

test("the sign-in form says when the limit is reached, instead of “wrong password”", async ({ page }) => {
  const account = newAccount("limited");
  await signUp(page, account);
  await signOut(page);
  for (let i = 1; i <= 10; i++) {
    // One attempt at a time: each is answered before the next is sent.
    const answered = page.waitForResponse((r) => r.request().method() === "POST" && new URL(r.url()).pathname === "/sign-in");
    await signIn(page, { email: account.email, password: `guess ${i}` });
    await answered;
    await expect(page.getByRole("alert").filter({ hasText: "Wrong e-mail or password" })).toBeVisible();
  }
  await signIn(page, account);
  await expect(page.getByRole("alert").filter({ hasText: "Too many failed sign-ins. Try again in 15 minutes." })).toBeVisible();
  await expect(page).toHaveURL(/\/sign-in/);
});
