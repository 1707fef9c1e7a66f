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
 * values (`sql.placeholder`), so drizzle does not build its SQL again. On PostgreSQL it is a
 * prepared statement (postgres.js names it after its SQL, once per connection), parsed once and
 * planned as PostgreSQL decides: after five runs it may keep a plan made without the values, so
 * only queries whose best plan does not depend on them belong here (not a search). PGlite runs it
 * as a plain query. Behind PgBouncer in transaction mode that needs `max_prepared_statements` (1.21+).
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
