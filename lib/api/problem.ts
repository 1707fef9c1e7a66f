import type { ActionResult } from "@/lib/actions/safe-action";
import type { FieldErrors, SafeErrorCode } from "@/lib/errors";

/**
 * Errors as RFC 9457 problem details (`application/problem+json`). `detail` is always a sentence
 * written for the caller (a SafeError's message or a fixed one), never a stack or an upstream body.
 */

export type ProblemCode = SafeErrorCode | "internal" | "bad_request";

const STATUS: Record<ProblemCode, number> = {
  bad_request: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  invalid: 422,
  rate_limited: 429,
  internal: 500,
};

const TITLE: Record<ProblemCode, string> = {
  bad_request: "Bad request",
  unauthenticated: "Not authenticated",
  forbidden: "Not allowed",
  not_found: "Not found",
  conflict: "Conflict",
  invalid: "Invalid input",
  rate_limited: "Too many requests",
  internal: "Internal error",
};

export function problem(code: ProblemCode, detail: string, opts: { errors?: FieldErrors; headers?: Record<string, string> } = {}): Response {
  const status = STATUS[code];
  const body = { type: `urn:dockyard:problem:${code}`, title: TITLE[code], status, detail, ...(opts.errors ? { errors: opts.errors } : {}) };
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/problem+json", "cache-control": "no-store", ...opts.headers },
  });
}

/**
 * A refused action as a problem. An id in the URL that is not even well-formed names nothing:
 * it is "not found", like a well-formed id of another team's object.
 */
export function problemOf(result: Extract<ActionResult<unknown>, { ok: false }>, pathIds: Partial<Record<string, string>>): Response {
  const malformed = result.code === "invalid" && Object.keys(result.fieldErrors ?? {}).find((field) => field in pathIds);
  if (malformed) return problem("not_found", `${pathIds[malformed]} not found`);
  return problem(result.code, result.error, { errors: result.code === "invalid" ? (result.fieldErrors ?? {}) : undefined });
}
