import "server-only";
import { env } from "@/lib/env";
import { openDatabase, type Db, type DbHandle } from "./client";

const globalForDb = globalThis as unknown as { __dbHandle?: DbHandle; __dbReady?: Promise<void> };

/** The process-wide database handle, created on first use and cached on globalThis. */
export function dbHandle(): DbHandle {
  if (!globalForDb.__dbHandle) {
    const { databaseUrl, dataDir } = env();
    globalForDb.__dbHandle = openDatabase({ databaseUrl, dataDir });
  }
  return globalForDb.__dbHandle;
}

export function db() {
  return dbHandle().db;
}

/**
 * A query every dashboard request runs, built once per database handle with placeholders for its
 * values (`sql.placeholder`): drizzle does not build its SQL again, and PostgreSQL parses and plans
 * it once per connection (postgres.js names prepared statements). Behind PgBouncer that needs
 * transaction pooling with `max_prepared_statements` set (PgBouncer 1.21 and later).
 */
export function preparedQuery<Q>(build: (db: Db) => Q): () => Q {
  const byDatabase = new WeakMap<Db, Q>();
  return () => {
    const current = db();
    let query = byDatabase.get(current);
    if (!query) byDatabase.set(current, (query = build(current)));
    return query;
  };
}

/** Applies pending migrations once per process. */
export function ensureMigrated(): Promise<void> {
  globalForDb.__dbReady ??= dbHandle().migrate();
  return globalForDb.__dbReady;
}

export * as schema from "./schema";
