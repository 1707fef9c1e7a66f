import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, expect, it, vi } from "vitest";

const dataDir = mkdtempSync(path.join(tmpdir(), "regdash-pglite-"));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

it("boots on embedded PGlite without DATABASE_URL, migrates and signs a user up", async () => {
  vi.stubEnv("DATABASE_URL", "");
  vi.stubEnv("DATA_DIR", dataDir);
  vi.stubEnv("AUTH_SECRET", "");
  vi.stubEnv("CREDENTIALS_KEY", "");
  const { dbHandle, ensureMigrated } = await import("@/db");
  const { signUp, verifyCredentials } = await import("@/lib/auth/accounts");
  expect(dbHandle().kind).toBe("pglite");
  await ensureMigrated();
  const { user, team } = await signUp({ name: "Embedded", email: "embedded@example.test", password: "embedded-password" });
  expect(team.personal).toBe(true);
  await expect(verifyCredentials({ email: "embedded@example.test", password: "embedded-password" })).resolves.toMatchObject({ id: user.id });
  // Secrets were generated once, under the data dir, readable by the owner only.
  const { statSync } = await import("node:fs");
  expect(statSync(path.join(dataDir, "secrets.json")).mode & 0o777).toBe(0o600);
  await dbHandle().close();
});
