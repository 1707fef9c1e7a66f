import "server-only";
import { and, eq, isNotNull, lt } from "drizzle-orm";
import { db, dbHandle } from "@/db";
import { auditEvents, pullSecrets, registries, type RefreshRecord } from "@/db/schema";
import { EcrError } from "@/lib/deploy/ecr";
import { env } from "@/lib/env";
import { startPeriodicJob } from "@/lib/jobs";
import { errorForLog, logger } from "@/lib/logger";
import { refreshPullSecrets } from "./refresh";
import type { ContainerDeps } from "./service";

/**
 * Keeps expiring pull credentials (ECR's 12-hour tokens) fresh: every platform-managed Secret and
 * Swarm service holding a token that expires within REFRESH_AHEAD_MS gets a new one. The state is
 * the expiry stored with each place, so a restart loses nothing; one runner at a time across all
 * dashboard instances (an advisory lock on PostgreSQL).
 */

/** Tokens live 12 h; renewing when less than 2 h are left keeps them well inside 11 h of age. */
export const REFRESH_AHEAD_MS = 2 * 3600_000;
const LOCK_KEY = 0x646b7972; // "dkyr"

export type JobRun = { ran: boolean; registries: number; refreshed: number; failed: number };

export async function refreshExpiringCredentials(deps: ContainerDeps & { now?: Date; concurrency?: number } = {}): Promise<JobRun> {
  const run = await dbHandle().exclusively(LOCK_KEY, async () => {
    const horizon = new Date((deps.now ?? new Date()).getTime() + REFRESH_AHEAD_MS);
    const due = await db()
      .selectDistinct({ registryId: pullSecrets.registryId, teamId: pullSecrets.teamId })
      .from(pullSecrets)
      .where(and(isNotNull(pullSecrets.expiresAt), lt(pullSecrets.expiresAt, horizon)));
    const totals: JobRun = { ran: true, registries: due.length, refreshed: 0, failed: 0 };
    for (const { registryId, teamId } of due) {
      let record: RefreshRecord;
      try {
        const outcome = await refreshPullSecrets(teamId, registryId, deps);
        record = {
          at: new Date().toISOString(),
          ok: outcome.failed.length === 0,
          refreshed: outcome.refreshed.length,
          failed: outcome.failed.map((f) => ({ where: f.namespace, message: f.message })),
          expiresAt: outcome.expiresAt?.toISOString() ?? null,
        };
      } catch (err) {
        if (!(err instanceof EcrError)) logger.error({ registryId, ...errorForLog(err) }, "credential refresh failed unexpectedly");
        record = { at: new Date().toISOString(), ok: false, refreshed: 0, failed: [{ where: "token exchange", message: err instanceof EcrError ? err.message : "unexpected error; see the server log" }] };
      }
      totals.refreshed += record.refreshed;
      totals.failed += record.failed.length;
      await db().update(registries).set({ lastRefresh: record }).where(and(eq(registries.id, registryId), eq(registries.teamId, teamId)));
      await db().insert(auditEvents).values({ teamId, registryId, action: "registry.credentials_refreshed", details: { ok: record.ok, refreshed: record.refreshed, failed: record.failed } });
    }
    return totals;
  });
  return run ?? { ran: false, registries: 0, refreshed: 0, failed: 0 };
}

/** Started once per server process; every instance ticks, one runs each interval (lib/jobs.ts). */
export function startCredentialRefresh() {
  startPeriodicJob({ name: "credential-refresh", intervalMs: env().refreshIntervalSeconds * 1000, run: () => refreshExpiringCredentials() });
}
