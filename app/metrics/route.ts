import { createHash, timingSafeEqual } from "node:crypto";
import { env } from "@/lib/env";
import { metrics } from "@/lib/metrics";

export const dynamic = "force-dynamic";

const digest = (s: string) => createHash("sha256").update(s).digest();

/**
 * Prometheus metrics of this instance, for a scraper holding METRICS_TOKEN as a bearer token.
 * Without METRICS_TOKEN the endpoint does not exist (404): metrics name routes, job timings and
 * failure counts, nothing a visitor should read. A wrong or missing token is 401.
 */
export async function GET(req: Request) {
  const token = env().metricsToken;
  if (!token) return new Response("Not found\n", { status: 404 });
  const given = /^Bearer (\S+)$/i.exec(req.headers.get("authorization") ?? "")?.[1];
  // Digests first: equal lengths for timingSafeEqual, and no early exit on the first differing byte.
  if (!given || !timingSafeEqual(digest(given), digest(token))) {
    return new Response("Unauthorized\n", { status: 401, headers: { "www-authenticate": 'Bearer realm="metrics"' } });
  }
  const { registry } = metrics();
  return new Response(await registry.metrics(), { headers: { "content-type": registry.contentType, "cache-control": "no-store" } });
}
