#!/usr/bin/env node
// First-load JavaScript of dashboard pages, as Chromium loads them from a production server:
// every script a cold visit fetches, raw and gzip-compressed. Needs `npx next build`.
//   node scripts/bench-first-load.mjs [--chunks]
// --chunks also lists each page's scripts, biggest first. BENCH_PORT moves the server off 3292.
import { gzipSync } from "node:zlib";
import { chromium } from "@playwright/test";
import { signUpInBrowser, startServer } from "./bench-lib.mjs";

const listChunks = process.argv.includes("--chunks");
const server = await startServer({ port: Number(process.env.BENCH_PORT ?? 3292) });
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
      if (res.request().resourceType() === "script") scripts.push(res.body().then((body) => ({ url: res.url(), body }), () => ({ url: res.url(), body: Buffer.alloc(0) })));
    });
    await page.goto(url, { waitUntil: "networkidle" });
    const loaded = await Promise.all(scripts);
    const bodies = loaded.map((s) => s.body);
    const raw = bodies.reduce((n, b) => n + b.length, 0);
    const gz = bodies.reduce((n, b) => n + gzipSync(b).length, 0);
    console.log(`${label}: ${bodies.length} scripts, ${(raw / 1024).toFixed(1)} KiB raw, ${(gz / 1024).toFixed(1)} KiB gzip`);
    if (listChunks) {
      const sized = loaded.map((s) => ({ name: new URL(s.url).pathname.split("/").pop(), gz: gzipSync(s.body).length }));
      for (const { name, gz } of sized.sort((a, b) => b.gz - a.gz)) console.log(`  ${(gz / 1024).toFixed(1).padStart(6)} KiB gzip  ${name}`);
    }
    await page.close();
  }
} finally {
  await browser.close();
  server.stop();
}
