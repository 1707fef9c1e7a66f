import "server-only";
import { env } from "@/lib/env";
import { openDatabase, type DbHandle } from "./client";

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

/** Applies pending migrations once per process. */
export function ensureMigrated(): Promise<void> {
  globalForDb.__dbReady ??= dbHandle().migrate();
  return globalForDb.__dbReady;
}

export * as schema from "./schema";
