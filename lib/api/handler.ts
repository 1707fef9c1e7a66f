import "server-only";
import { z } from "zod";
import { authenticateToken, RATE_LIMIT } from "@/lib/api-tokens/tokens";
import { errorForLog, logger } from "@/lib/logger";
import { pathIdsOf, type Endpoint } from "./endpoints";
import { problem, problemOf } from "./problem";

type Context = { params: Promise<Record<string, string>> };

const BEARER = /^Bearer ([^\s]+)$/;
const CHALLENGE = { "www-authenticate": 'Bearer realm="dockyard-api"' };

/** The query string as the endpoint's schema reads it: numbers where its JSON Schema says so, else text. */
function queryReader(endpoint: Endpoint): (params: URLSearchParams) => Record<string, unknown> {
  const properties = endpoint.query ? ((z.toJSONSchema(endpoint.query, { io: "input" }).properties ?? {}) as Record<string, { type?: string }>) : {};
  return (params) => {
    const input: Record<string, unknown> = {};
    for (const [key, { type }] of Object.entries(properties)) {
      const value = params.get(key);
      if (value !== null) input[key] = type === "integer" || type === "number" ? Number(value) : value;
    }
    return input;
  };
}

async function bodyInput(req: Request): Promise<Record<string, unknown> | null> {
  try {
    const body: unknown = await req.json();
    return body && typeof body === "object" && !Array.isArray(body) ? (body as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/**
 * A route handler for one endpoint: bearer token → the user it acts for, within its team and
 * role (and its rate limit) → the action, which checks membership, input and the role rule →
 * JSON, or a problem. The path's `{team}` and ids override anything the body says.
 */
export function apiRoute(endpoint: Endpoint) {
  const readQuery = queryReader(endpoint);
  return async (req: Request, ctx: Context): Promise<Response> => {
    try {
      const bearer = BEARER.exec(req.headers.get("authorization") ?? "")?.[1];
      if (!bearer) return problem("unauthenticated", "Send an API token: Authorization: Bearer dky_…", { headers: CHALLENGE });
      const caller = await authenticateToken(bearer);
      if ("refused" in caller) return problem("unauthenticated", caller.refused, { headers: CHALLENGE });
      if (caller.retryAfter !== undefined) {
        return problem("rate_limited", `A token may make ${RATE_LIMIT.requests} requests a minute; try again in ${caller.retryAfter} s`, {
          headers: { "retry-after": String(caller.retryAfter) },
        });
      }
      // A route without dynamic segments (/token) has no params at all.
      const { team, ...ids } = (await ctx.params) ?? {};
      let body: Record<string, unknown> = {};
      if (endpoint.body) {
        const parsed = await bodyInput(req);
        if (!parsed) return problem("bad_request", "The body must be a JSON object");
        body = parsed;
      }
      const input = { ...readQuery(new URL(req.url).searchParams), ...body, ...ids, ...(team === undefined ? {} : { teamSlug: team }) };
      const result = await endpoint.run(caller, input);
      if (!result.ok) return problemOf(result, pathIdsOf(endpoint));
      return Response.json(result.data, { status: endpoint.status, headers: { "cache-control": "no-store" } });
    } catch (err) {
      logger.error({ operation: endpoint.operationId, ...errorForLog(err) }, "api request failed");
      return problem("internal", "Something went wrong on our side. Please try again.");
    }
  };
}
