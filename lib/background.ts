import "server-only";
import { startCredentialRefresh } from "@/lib/containers/refresh-job";
import { startPullHealthWatcher } from "@/lib/containers/watch-job";
import { registerLifecycle } from "@/lib/lifecycle";
import { metrics } from "@/lib/metrics";

/** What runs beside the requests once the database is migrated (lib/startup.ts). */
export function startBackgroundWork(): void {
  startCredentialRefresh();
  startPullHealthWatcher();
  // Created now, so that process metrics are sampled from the start and scripts/server.mjs finds the request counter.
  metrics();
  registerLifecycle();
}
