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
  await expect(verifyCredentials({ email: "embedded@example.test", password: "embedded-password" }, "192.0.2.1")).resolves.toMatchObject({ id: user.id });
  // The throttle's upsert and the session checks work on PGlite too.
  const { SignInRateLimited } = await import("@/lib/auth/throttle");
  const guesses = await Promise.allSettled(
    Array.from({ length: 12 }, (_, i) => verifyCredentials({ email: "embedded@example.test", password: `guess ${i}` }, "192.0.2.2")),
  );
  expect(guesses.filter((r) => r.status === "fulfilled" && r.value === null)).toHaveLength(10);
  expect(guesses.filter((r) => r.status === "rejected" && r.reason instanceof SignInRateLimited)).toHaveLength(2);
  const { isSessionCurrent, revokeSession } = await import("@/lib/auth/sessions");
  await expect(isSessionCurrent({ uid: user.id, sid: "embedded-session", gen: 0 })).resolves.toBe(true);
  await revokeSession("embedded-session");
  await expect(isSessionCurrent({ uid: user.id, sid: "embedded-session", gen: 0 })).resolves.toBe(false);
  // Secrets were generated once, under the data dir, readable by the owner only.
  const { statSync } = await import("node:fs");
  expect(statSync(path.join(dataDir, "secrets.json")).mode & 0o777).toBe(0o600);
  await dbHandle().close();
}, 120_000); // a fresh clone has no data-dir template yet: initdb runs here, slow on a busy machine
