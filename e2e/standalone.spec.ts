import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { assembleImage } from "../scripts/assemble-image";
import { newAccount, signIn, signOut, signUp, teamSlugOf } from "./helpers";
import { createDatabase, dropDatabase, logLines, metricValue, scrape, startServer, TEST_SECRETS, waitUntilOk, type Server } from "./servers";

/**
 * The container image, as far as this machine can take it: no engine here builds images or pulls
 * base images, so the image's /app is laid out by replaying the Dockerfile's COPY lines from this
 * build (scripts/assemble-image.ts), then started with the image's own CMD and ENV on a fresh
 * PostgreSQL database, smoke-tested through the browser and stopped with SIGTERM.
 */

const REGISTRY_TOKEN = "ghp_" + "Sm0keT0ken".repeat(4);

let imageRoot: string;
let database: { url: string; name: string };
let server: Server;

test.afterAll(async () => {
  server?.process.kill("SIGKILL");
  if (database) await dropDatabase(database.name);
  if (imageRoot) rmSync(imageRoot, { recursive: true, force: true });
});

/** Sends a request's head now and its body later: a request in flight for as long as the caller wants. */
function slowRequest(port: number, pathname: string) {
  const body = "csrfToken=x&email=a%40b.test&password=y";
  const socket = connect(port, "127.0.0.1");
  const answer = new Promise<string>((resolve, reject) => {
    let text = "";
    socket.on("data", (c) => (text += c.toString()));
    socket.on("end", () => resolve(text));
    socket.on("close", () => resolve(text));
    socket.on("error", reject);
  });
  socket.write(`POST ${pathname} HTTP/1.1\r\nHost: localhost:${port}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`);
  return { finish: () => socket.write(body), answer };
}

test("the image's contents start on a fresh database, pass a smoke test of the flows, and stop cleanly on SIGTERM", async ({ browser }) => {
  test.setTimeout(180_000);
  imageRoot = mkdtempSync(path.join(tmpdir(), "dockyard-image-"));
  const image = assembleImage(imageRoot);
  // Not the repository: no config or sources to fall back on, only what the Dockerfile copies.
  expect(existsSync(path.join(image.appDir, "next.config.ts"))).toBe(false);
  expect(existsSync(path.join(image.appDir, "lib"))).toBe(false);
  expect(image.cmd[0]).toBe("node");
  const size = execFileSync("du", ["-sh", image.appDir], { encoding: "utf8" }).split("\t")[0];

  database = await createDatabase("image");
  server = await startServer({
    cwd: image.appDir,
    script: image.cmd[1],
    env: { ...image.env, DATABASE_URL: database.url, ...TEST_SECRETS, LOG_LEVEL: "info", DATA_DIR: path.join(imageRoot, "tmp") },
  });
  const readyMs = await waitUntilOk(server, "/api/ready");
  console.log(`figures: image contents ${size}; start to ready ${readyMs} ms (fresh database, migrations included)`);
  expect(await (await fetch(`${server.url}/api/health`)).json()).toEqual({ status: "ok", database: "reachable" });
  expect(await (await fetch(`${server.url}/api/ready`)).json()).toEqual({ status: "ready", database: "reachable", migrations: "applied", draining: false });

  // The flows, through the browser: sign up, sign out, sign in, save a registry.
  const context = await browser.newContext({ baseURL: server.url });
  const page = await context.newPage();
  const account = newAccount("image");
  await signUp(page, account);
  const teamSlug = teamSlugOf(page);
  await signOut(page);
  await signIn(page, account);
  await expect(page).toHaveURL(new RegExp(`/t/${teamSlug}/settings/registries$`));
  await page.getByRole("link", { name: "Add registry" }).first().click();
  await page.getByLabel("Name", { exact: true }).fill("Smoke GHCR");
  await page.getByLabel("Username", { exact: true }).fill("octocat");
  await page.getByLabel("Token", { exact: true }).fill(REGISTRY_TOKEN);
  await page.getByRole("button", { name: "Save registry" }).click();
  await expect(page.getByRole("heading", { name: "Smoke GHCR" })).toBeVisible();
  await context.close();

  // Metrics: refused without the token, and they saw the requests and the action.
  expect((await fetch(`${server.url}/metrics`)).status).toBe(401);
  const metrics = await scrape(server.url);
  expect(metricValue(metrics, "dockyard_http_requests_total", { route: "/t/[team]/settings/registries", status: "200" })).toBeGreaterThan(0);
  expect(metricValue(metrics, "dockyard_actions_total", { action: "registry.create", outcome: "ok" })).toBe(1);

  // SIGTERM while a request is in flight: it is answered, then the process exits 0.
  const inFlight = slowRequest(server.port, "/api/auth/callback/credentials");
  await new Promise((resolve) => setTimeout(resolve, 200));
  server.process.kill("SIGTERM");
  await expect.poll(async () => (await fetch(`${server.url}/api/ready`).catch(() => null))?.status ?? "refused").toBe("refused");
  inFlight.finish();
  expect(await inFlight.answer).toMatch(/^HTTP\/1\.1 \d{3} /);
  expect(await server.exited).toBe(0);

  const lines = logLines(server.output());
  expect(lines.map((l) => l.msg)).toEqual(expect.arrayContaining(["database migrated", "shutting down: draining requests, job runs and deploys in flight", "stopped"]));
  expect(lines.find((l) => l.action === "registry.create")).toMatchObject({ msg: "action", outcome: "ok", teamId: expect.any(String), userId: expect.any(String), requestId: expect.any(String) });
  for (const secret of [REGISTRY_TOKEN, account.password, TEST_SECRETS.AUTH_SECRET, TEST_SECRETS.CREDENTIALS_KEY, TEST_SECRETS.METRICS_TOKEN]) expect(server.output()).not.toContain(secret);
});
