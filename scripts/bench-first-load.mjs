#!/usr/bin/env node
// First-load JavaScript of dashboard pages, as Chromium loads them from a production server:
// every script a cold visit fetches, raw and gzip-compressed. Needs `npx next build`.
//   node scripts/bench-first-load.mjs
import { gzipSync } from "node:zlib";
import { chromium } from "@playwright/test";
import { signUpInBrowser, startServer } from "./bench-lib.mjs";

const server = await startServer({ port: 3292 });
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
try {
  const email = `bench-${Date.now()}@example.test`;
  const password = "bench-password-123";
  const teamUrl = await signUpInBrowser(server.base, email, password);
  const context = await browser.newContext();
  const signIn = await context.newPage();
  await signIn.goto(`${server.base}/sign-in`);
  await signIn.getByLabel("E-mail").fill(email);
  await signIn.getByLabel("Password").fill(password);
  await signIn.getByRole("button", { name: "Sign in" }).click();
  await signIn.waitForURL(/\/t\//);
  await signIn.close();
  const pages = { "registries list": teamUrl, "add registry": `${teamUrl}/new`, "sign-in (signed out)": `${server.base}/sign-in` };
  for (const [label, url] of Object.entries(pages)) {
    const ctx = label.includes("signed out") ? await browser.newContext() : context;
    const page = await ctx.newPage();
    // A cold visit: nothing cached.
    const cdp = await ctx.newCDPSession(page);
    await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
    const scripts = [];
    page.on("response", async (res) => {
      if (res.request().resourceType() === "script") scripts.push(res.body().catch(() => Buffer.alloc(0)));
    });
    await page.goto(url, { waitUntil: "networkidle" });
    const bodies = await Promise.all(scripts);
    const raw = bodies.reduce((n, b) => n + b.length, 0);
    const gz = bodies.reduce((n, b) => n + gzipSync(b).length, 0);
    console.log(`${label}: ${bodies.length} scripts, ${(raw / 1024).toFixed(0)} KiB raw, ${(gz / 1024).toFixed(0)} KiB gzip`);
    await page.close();
  }
} finally {
  await browser.close();
  server.stop();
}
