import "server-only";
import { readFileSync } from "node:fs";
import path from "node:path";
import { count, eq } from "drizzle-orm";
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import { db } from "@/db";
import { pullHealth, registries } from "@/db/schema";
import { logger } from "@/lib/logger";
import { REGISTRY_TYPE_KEYS } from "@/lib/registries/catalog";

/**
 * The Prometheus metrics of this instance (GET /metrics). Counters count what this instance did;
 * the pull-health gauge is read from the database at each scrape, so every instance reports the
 * same value (aggregate it with max, not sum).
 *
 * Kept on globalThis under a registered symbol: Next.js bundles the instrumentation hook and each
 * route apart (one module copy each), and scripts/server.mjs, which is not bundled at all, records
 * every HTTP request through `recordRequest` found there.
 */

const METRICS = Symbol.for("dockyard.metrics");

function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const metrics = {
    registry,
    httpRequests: new Counter({ name: "dockyard_http_requests_total", help: "HTTP requests answered, by route pattern and status", labelNames: ["method", "route", "status"], registers }),
    httpDuration: new Histogram({
      name: "dockyard_http_request_duration_seconds",
      help: "Time to answer an HTTP request, by route pattern",
      labelNames: ["method", "route"],
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    actions: new Counter({ name: "dockyard_actions_total", help: "Server actions run, by action and outcome (ok or the refusal's code)", labelNames: ["action", "outcome"], registers }),
    deploys: new Counter({ name: "dockyard_deploys_total", help: "Deploys, scales and restarts finished, by outcome", labelNames: ["action", "outcome"], registers }),
    deployDuration: new Histogram({
      name: "dockyard_deploy_duration_seconds",
      help: "Time from a deploy's start to its recorded end",
      labelNames: ["action"],
      buckets: [1, 2.5, 5, 10, 30, 60, 120, 300, 600],
      registers,
    }),
    liveChecks: new Counter({ name: "dockyard_live_checks_total", help: "Live registry checks (Test Connection), by registry type and outcome", labelNames: ["registry_type", "outcome"], registers }),
    jobRuns: new Counter({ name: "dockyard_job_runs_total", help: "Periodic job runs on this instance, by outcome", labelNames: ["job", "outcome"], registers }),
    jobDuration: new Histogram({ name: "dockyard_job_run_duration_seconds", help: "Time a periodic job run took", labelNames: ["job"], buckets: [0.05, 0.1, 0.5, 1, 5, 15, 60, 300], registers }),
    jobTicksSkipped: new Counter({ name: "dockyard_job_ticks_skipped_total", help: "Ticks of a periodic job that another instance had already run for this interval", labelNames: ["job"], registers }),
  };
  new Gauge({
    name: "dockyard_pull_health_failing",
    help: "Registry and environment pairs whose pulls fail now, by registry type (the same on every instance)",
    labelNames: ["registry_type"],
    registers,
    async collect() {
      const rows = await db()
        .select({ type: registries.type, n: count() })
        .from(pullHealth)
        .innerJoin(registries, eq(registries.id, pullHealth.registryId))
        .where(eq(pullHealth.status, "failing"))
        .groupBy(registries.type);
      for (const type of REGISTRY_TYPE_KEYS) this.set({ registry_type: type }, Number(rows.find((r) => r.type === type)?.n ?? 0));
    },
  });
  return { ...metrics, recordRequest };
}

type Metrics = ReturnType<typeof createMetrics>;

export function metrics(): Metrics {
  const store = globalThis as unknown as Record<symbol, Metrics | undefined>;
  return (store[METRICS] ??= createMetrics());
}

type RouteTable = { exact: Set<string>; patterns: { page: string; regex: RegExp }[] };
let routeTable: RouteTable | undefined;

/** The build's routes (`.next/routes-manifest.json`), so a label is a route pattern and never a raw path: bounded, and free of ids. */
function routes(): RouteTable {
  if (routeTable) return routeTable;
  try {
    const manifest = JSON.parse(readFileSync(path.join(process.cwd(), ".next", "routes-manifest.json"), "utf8")) as {
      staticRoutes: { page: string }[];
      dynamicRoutes: { page: string; regex: string }[];
    };
    routeTable = {
      exact: new Set(manifest.staticRoutes.map((r) => r.page)),
      patterns: manifest.dynamicRoutes.map((r) => ({ page: r.page, regex: new RegExp(r.regex) })),
    };
  } catch {
    routeTable = { exact: new Set(), patterns: [] };
  }
  return routeTable;
}

/** The route pattern a path is served by: `/t/[team]/environments`, `/_next/static`, or `other`. */
export function routeOf(pathname: string): string {
  if (pathname.startsWith("/_next/static/")) return "/_next/static";
  if (pathname === "/_next/image") return pathname;
  const table = routes();
  const bare = pathname.length > 1 ? pathname.replace(/\/$/, "") : pathname;
  if (table.exact.has(bare)) return bare;
  return table.patterns.find((p) => p.regex.test(pathname))?.page ?? "other";
}

/** Called by scripts/server.mjs when a response has been sent. */
function recordRequest(method: string, pathname: string, status: number, seconds: number) {
  const m = metrics();
  const route = routeOf(pathname);
  // A method outside the usual ones is a label anyone could invent.
  const verb = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"].includes(method) ? method : "other";
  m.httpRequests.inc({ method: verb, route, status: String(status) });
  m.httpDuration.observe({ method: verb, route }, seconds);
}

/** One live registry check made (Test Connection): counted by type and outcome, and logged with the host it asked, never with what it sent. */
export function recordLiveCheck(check: { userId: string; registryType: string; outcome: string; host?: string; durationMs: number }) {
  metrics().liveChecks.inc({ registry_type: check.registryType, outcome: check.outcome });
  logger.info(check, "live check");
}
