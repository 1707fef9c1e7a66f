import "server-only";
import { max } from "drizzle-orm";
import { readMigrationFiles } from "drizzle-orm/migrator";
import { bigint, pgSchema, serial, text } from "drizzle-orm/pg-core";
import { migrationsFolder, type Db } from "./client";

/**
 * drizzle's own record of applied migrations (not in schema.ts: drizzle-kit must not generate it).
 * It applies every committed migration newer than the newest row here, so that row tells.
 */
const appliedMigrations = pgSchema("drizzle").table("__drizzle_migrations", {
  id: serial("id").primaryKey(),
  hash: text("hash").notNull(),
  createdAt: bigint("created_at", { mode: "number" }),
});

let newestCommitted: number | undefined;

/** Whether the database holds every migration this build carries in `drizzle/`. */
export async function migrationsApplied(db: Db): Promise<boolean> {
  newestCommitted ??= Math.max(0, ...readMigrationFiles({ migrationsFolder }).map((m) => m.folderMillis));
  const [row] = await db.select({ newest: max(appliedMigrations.createdAt) }).from(appliedMigrations);
  return Number(row?.newest ?? 0) >= newestCommitted;
}
