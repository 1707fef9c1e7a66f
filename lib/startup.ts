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
  // One dynamic import, not one per job: the build gives each its own copy of the code they share
  // (2 MB of deploy code), and the server would load and keep every copy.
  const { startBackgroundWork } = await import("@/lib/background");
  startBackgroundWork();
}
