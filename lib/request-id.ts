import "server-only";
import { headers } from "next/headers";

/** Set on every request (and its response) by scripts/server.mjs. */
export const REQUEST_ID_HEADER = "x-request-id";

/**
 * The id of the request being served, for log lines that an operator wants to tie together (an
 * action and the deploy it started); undefined outside a request (jobs, tests).
 */
export async function requestId(): Promise<string | undefined> {
  try {
    return (await headers()).get(REQUEST_ID_HEADER) ?? undefined;
  } catch {
    return undefined;
  }
}
