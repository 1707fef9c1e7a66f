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

it("a second server on the same embedded data dir is refused in plain words; a lock left by a process that is gone is taken over", async () => {
  const { spawnSync } = await import("node:child_process");
  const { existsSync, readFileSync, writeFileSync, mkdirSync } = await import("node:fs");
  const { openDatabase } = await import("@/db/client");
  const shared = mkdtempSync(path.join(tmpdir(), "regdash-pglite-lock-"));
  try {
    mkdirSync(shared, { recursive: true });
    // Held by a process that runs (this test's parent).
    writeFileSync(path.join(shared, "pglite.lock"), String(process.ppid));
    expect(() => openDatabase({ dataDir: shared })).toThrow(`in use by another Dockyard server (process ${process.ppid})`);
    expect(existsSync(path.join(shared, "pglite"))).toBe(false);
    // Left by a process that has exited.
    const gone = spawnSync(process.execPath, ["-e", "console.log(process.pid)"], { encoding: "utf8" }).stdout.trim();
    writeFileSync(path.join(shared, "pglite.lock"), gone);
    const handle = openDatabase({ dataDir: shared });
    expect(readFileSync(path.join(shared, "pglite.lock"), "utf8")).toBe(String(process.pid));
    await handle.close();
    expect(existsSync(path.join(shared, "pglite.lock"))).toBe(false);
  } finally {
    rmSync(shared, { recursive: true, force: true });
  }
}, 120_000);
