import { readFileSync } from "node:fs";
import path from "node:path";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "@/db/client";
import { migrationsApplied } from "@/db/migration-status";

/**
 * Several replicas start together on a fresh database: each runs the migrations at start, and
 * the advisory lock around them lets exactly one apply each migration.
 */

const adminUrl = process.env.TEST_DATABASE_ADMIN_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const name = `regdash_migrate_${process.pid}_${Date.now()}`;
const url = Object.assign(new URL(adminUrl), { pathname: `/${name}` }).toString();
const journal = JSON.parse(readFileSync(path.resolve(import.meta.dirname, "../drizzle/meta/_journal.json"), "utf8")) as { entries: unknown[] };
let admin: postgres.Sql;

beforeAll(async () => {
  admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database "${name}"`);
});

afterAll(async () => {
  await admin.unsafe(`drop database if exists "${name}" with (force)`);
  await admin.end();
});

describe("migrations at start", () => {
  it("three instances migrating one fresh database at once all start, and each migration is applied once", async () => {
    const handles = [0, 1, 2].map(() => openDatabase({ databaseUrl: url, dataDir: "/tmp" }));
    try {
      expect(await migrationsApplied(handles[0]!.db).catch(() => false)).toBe(false);
      const results = await Promise.allSettled(handles.map((h) => h.migrate()));
      expect(results.map((r) => r.status)).toEqual(["fulfilled", "fulfilled", "fulfilled"]);
      const sql = postgres(url, { max: 1, onnotice: () => {} });
      const rows = await sql`select hash from drizzle.__drizzle_migrations`;
      await sql.end();
      expect(rows).toHaveLength(journal.entries.length);
      expect(await migrationsApplied(handles[1]!.db)).toBe(true);
    } finally {
      await Promise.all(handles.map((h) => h.close()));
    }
  });

  it("a database missing the newest migration is not ready", async () => {
    const sql = postgres(url, { max: 1, onnotice: () => {} });
    await sql`delete from drizzle.__drizzle_migrations where created_at = (select max(created_at) from drizzle.__drizzle_migrations)`;
    await sql.end();
    const handle = openDatabase({ databaseUrl: url, dataDir: "/tmp" });
    try {
      expect(await migrationsApplied(handle.db)).toBe(false);
    } finally {
      await handle.close();
    }
  });
});
