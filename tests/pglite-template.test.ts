import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import type { PGlite } from "@electric-sql/pglite";
import { analyzeChangedTables, openDatabase } from "@/db/client";
import { registries, teams } from "@/db/schema";

const dataDir = mkdtempSync(path.join(tmpdir(), "regdash-pglite-template-"));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** The planner's view of each table: reltuples is -1 until the table is first analyzed. */
async function tableStatistics(handle: ReturnType<typeof openDatabase>) {
  const result = await handle.db.execute(sql`
    select c.relname as name, c.reltuples::int as tuples from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where c.relkind = 'r' and n.nspname = 'public'`);
  return (result as unknown as { rows: { name: string; tuples: number }[] }).rows;
}

it("a fresh embedded data dir starts as a copy of the migrated template (no initdb nor migrations in the server), small buffers, statistics gathered", async () => {
  // What `npm start` runs before the server: makes the template once (a no-op when it is current).
  const made = spawnSync(process.execPath, ["db/pglite-template.mjs"], { encoding: "utf8" });
  expect(made.status, made.stderr).toBe(0);

  const handle = openDatabase({ dataDir });
  // The marker the template script leaves shows the files came from the template.
  expect(existsSync(path.join(dataDir, "pglite", ".made-by"))).toBe(true);
  // Every migration was applied in the template: this start finds all of them recorded.
  const applied = await handle.db.execute(sql`select count(*)::int as n from drizzle.__drizzle_migrations`);
  await handle.migrate();
  const after = await handle.db.execute(sql`select count(*)::int as n from drizzle.__drizzle_migrations`);
  expect(JSON.stringify(after)).toBe(JSON.stringify(applied));
  const buffers = await handle.db.execute(sql`show shared_buffers`);
  expect(JSON.stringify(buffers)).toContain("8MB");
  // Every table has statistics (none is left at the never-analyzed -1).
  const tables = await tableStatistics(handle);
  expect(tables.map((t) => t.name)).toContain("registries");
  expect(tables.filter((t) => t.tuples < 0)).toEqual([]);
  await handle.close();
}, 120_000);

it("statistics are gathered again after an import of many registries, and only for the tables that changed", async () => {
  const handle = openDatabase({ dataDir });
  await handle.migrate();
  const client = (handle.db as unknown as { $client: PGlite }).$client;
  await handle.db.insert(teams).values({ id: "team-import", slug: "import", name: "Import" });
  await handle.db.insert(registries).values(
    Array.from({ length: 500 }, (_, i) => ({
      id: `reg-import-${i}`,
      teamId: "team-import",
      name: `imported registry ${i}`,
      type: "Custom",
      visibleFields: { url: `https://registry-${i}.example.com`, username: "deployer" },
    })),
  );
  // What the embedded database's periodic check (every minute) runs.
  expect(await analyzeChangedTables(client)).toEqual(["public.registries"]);
  const registriesStatistics = (await tableStatistics(handle)).find((t) => t.name === "registries");
  expect(registriesStatistics?.tuples).toBe(500);
  // Nothing changed since: the next check analyzes nothing.
  expect(await analyzeChangedTables(client)).toEqual([]);
  await handle.close();
}, 120_000);
