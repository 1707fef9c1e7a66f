import "server-only";
import { dbHandle } from "@/db";
import { stopDeploymentRuns } from "@/lib/containers/deployments";
import { env } from "@/lib/env";
import { stopPeriodicJobs } from "@/lib/jobs";
import { logger } from "@/lib/logger";

/**
 * What scripts/server.mjs calls on SIGTERM, found on globalThis under a registered symbol because
 * that server is not bundled with the app. The server stops taking connections and waits for the
 * requests in flight while `drain` winds down the background work; `close` comes last.
 */
export type ServerLifecycle = {
  /** SHUTDOWN_TIMEOUT_SECONDS, in milliseconds: after it the server exits whatever is still running. */
  shutdownTimeoutMs: number;
  /**
   * Readiness answers 503 from now on; the jobs stop ticking and the runs in flight finish (and
   * release their locks); deploys in flight get `deployBudgetMs`, then are recorded as failed.
   */
  drain(deployBudgetMs: number): Promise<void>;
  /** Closes the database pool, once no request can use it any more. */
  close(): Promise<void>;
};

const LIFECYCLE = Symbol.for("dockyard.lifecycle");
const store = globalThis as unknown as Record<symbol, ServerLifecycle | undefined> & { __draining?: boolean };

/** Whether this instance is shutting down (readiness says so, so that no new traffic comes). */
export function isDraining(): boolean {
  return store.__draining === true;
}

export function registerLifecycle() {
  store[LIFECYCLE] = {
    shutdownTimeoutMs: env().shutdownTimeoutSeconds * 1000,
    async drain(deployBudgetMs) {
      store.__draining = true;
      logger.info({ deployBudgetMs }, "shutting down: draining requests, job runs and deploys in flight");
      const [, stopped] = await Promise.all([stopPeriodicJobs(), stopDeploymentRuns(deployBudgetMs)]);
      if (stopped > 0) logger.warn({ stopped }, "deploys still running at shutdown were recorded as failed");
    },
    async close() {
      await dbHandle().close();
      logger.info("stopped");
    },
  };
}
