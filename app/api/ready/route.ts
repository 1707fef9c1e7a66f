import { dbHandle } from "@/db";
import { pingDatabase } from "@/db/client";
import { migrationsApplied } from "@/db/migration-status";
import { isDraining } from "@/lib/lifecycle";

export const dynamic = "force-dynamic";

/**
 * Readiness (the load balancer's question, unlike /api/health's liveness): the database answers,
 * it holds every migration this build carries, and the instance is not shutting down.
 */
export async function GET() {
  const draining = isDraining();
  const database = await pingDatabase(dbHandle().db);
  const migrations = database ? await migrationsApplied(dbHandle().db).catch(() => false) : false;
  const ready = database && migrations && !draining;
  return Response.json(
    { status: ready ? "ready" : "not ready", database: database ? "reachable" : "unreachable", migrations: migrations ? "applied" : "pending", draining },
    { status: ready ? 200 : 503, headers: { "cache-control": "no-store" } },
  );
}
