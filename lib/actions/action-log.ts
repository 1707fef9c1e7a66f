import "server-only";
import { logger } from "@/lib/logger";
import { metrics } from "@/lib/metrics";
import { requestId } from "@/lib/request-id";
import type { Action, ActionResult, Session } from "./safe-action";

/**
 * The operator's record of every server action: one log line and one count per call, with who
 * (user id), which team, the action, its target (the ids it names or created), the outcome (ok
 * or the refusal's code), the duration and the request id. Never the input itself: it holds
 * passwords, tokens and kubeconfigs. The wrapper reports what it learns through `seen`.
 */

type Known = { user?: { id: string }; team?: { id: string }; input?: unknown };
export type Seen = <C extends Known>(ctx: C) => C;

/**
 * Actions that only read what the caller may see (lists, a deploy's progress the page polls every
 * second, previews): debug, so that the info log is the record of what changed or went outside.
 */
const READS = /\.(list|get|progress|preview)$/;

/** An id as newId makes them (`reg-k3j9x0a1b2c4`); anything else in an `…Id` field is not logged. */
const ID = /^[a-z]{2,12}-[a-z0-9]{4,40}$/;

/** The ids an input names and a result created, e.g. `{ registryId: "reg-…" }`. */
export function targetOf(...sources: unknown[]): Record<string, string> {
  const target: Record<string, string> = {};
  for (const source of sources) {
    if (!source || typeof source !== "object") continue;
    for (const [key, value] of Object.entries(source)) {
      if (key.endsWith("Id") && typeof value === "string" && ID.test(value)) target[key] ??= value;
    }
  }
  return target;
}

export function withActionLog<T>(action: string, run: (session: Session, raw: unknown, seen: Seen) => Promise<ActionResult<T>>): Action<T> {
  return async (session, raw) => {
    const started = performance.now();
    const known: Known = {};
    const result = await run(session, raw, (ctx) => Object.assign(known, ctx) && ctx);
    const outcome = result.ok ? "ok" : result.code;
    metrics().actions.inc({ action, outcome });
    logger[outcome === "internal" ? "error" : READS.test(action) ? "debug" : "info"](
      {
        requestId: await requestId(),
        action,
        userId: known.user?.id ?? session?.userId,
        teamId: known.team?.id,
        ...targetOf(known.input, result.ok ? result.data : undefined),
        outcome,
        durationMs: Math.round(performance.now() - started),
      },
      "action",
    );
    return result;
  };
}
