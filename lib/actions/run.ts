import "server-only";
import { revalidatePath } from "next/cache";
import { currentSession } from "@/lib/auth/session";
import type { Action, ActionResult } from "./safe-action";

/**
 * What every export of a "use server" file does: the wrapped action with this request's session,
 * then, when it changed something, the pages under `revalidate` (a route pattern) render afresh.
 * A refused action changed nothing; re-rendering for it would be work anyone could ask for at will.
 */
export async function runAction<T>(action: Action<T>, input: unknown, revalidate?: string): Promise<ActionResult<T>> {
  const result = await action(await currentSession(), input);
  if (revalidate && result.ok) revalidatePath(revalidate, "layout");
  return result;
}
