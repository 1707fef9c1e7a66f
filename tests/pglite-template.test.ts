import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { openDatabase } from "@/db/client";

const dataDir = mkdtempSync(path.join(tmpdir(), "regdash-pglite-template-"));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

it("a fresh embedded data dir starts as a copy of the template (no initdb in the server), small buffers, statistics after migrating", async () => {
  // What `npm start` runs before the server: makes the template once (a no-op when it exists).
  const made = spawnSync(process.execPath, ["db/pglite-template.mjs"], { encoding: "utf8" });
  expect(made.status, made.stderr).toBe(0);

  const handle = openDatabase({ dataDir });
  // The marker the template script leaves shows the files came from the template.
  expect(existsSync(path.join(dataDir, "pglite", ".made-by"))).toBe(true);
  await handle.migrate();
  const buffers = await handle.db.execute(sql`show shared_buffers`);
  expect(JSON.stringify(buffers)).toContain("16MB");
  // ANALYZE ran after the migrations: the planner has statistics for the tables.
  const analyzed = await handle.db.execute(sql`select count(*)::int as n from pg_stat_user_tables where last_analyze is not null`);
  expect(JSON.stringify(analyzed)).toMatch(/"n":[1-9]/);
  await handle.close();
}, 120_000);
