import "server-only";
import { env, EnvError } from "@/lib/env";
import { dbHandle, ensureMigrated } from "@/db";
import { logger } from "@/lib/logger";

/** Validates the environment and applies migrations before the server takes requests; any failure stops the start. */
export async function prepareServer(): Promise<void> {
  try {
    env();
  } catch (err) {
    logger.fatal({ reason: err instanceof EnvError ? err.message : String(err) }, "cannot start: invalid configuration");
    process.exit(1);
  }
  try {
    await ensureMigrated();
    logger.info({ database: dbHandle().kind }, "database migrated");
  } catch (err) {
    const e = err as Error & { cause?: Error };
    logger.fatal(
      { reason: e.message, cause: e.cause?.message },
      "cannot start: database migration failed; fix the database (or DATABASE_URL) and start again",
    );
    process.exit(1);
  }
  const { startCredentialRefresh } = await import("@/lib/containers/refresh-job");
  startCredentialRefresh();
  const { startPullHealthWatcher } = await import("@/lib/containers/watch-job");
  startPullHealthWatcher();
  // Created now, so that process metrics are sampled from the start and scripts/server.mjs finds the request counter.
  const { metrics } = await import("@/lib/metrics");
  metrics();
  const { registerLifecycle } = await import("@/lib/lifecycle");
  registerLifecycle();
}
