import "server-only";
import { z } from "zod";
import { and, eq } from "drizzle-orm";
import { db } from "@/db";
import { memberships, teams, users, type Team, type TeamRole, type User } from "@/db/schema";
import { SafeError, type FieldErrors, type SafeErrorCode } from "@/lib/errors";
import { errorForLog, logger } from "@/lib/logger";
import { withActionLog } from "./action-log";
import { nonPlainValues } from "@/lib/validation/plain-data";
import { storableText } from "@/lib/validation/text";
import { withinScope, type TokenScope } from "@/lib/api-tokens/scope";

/**
 * What the wrapper knows about the caller: the signed-in user's id, or nothing. A request with an
 * API token acts as the token's creator within the token's `scope` (one team, a capped role).
 */
export type Session = { userId: string; scope?: TokenScope } | null;

export type ActionResult<T> =
  | { ok: true; data: T }
  | { ok: false; code: SafeErrorCode | "internal"; error: string; fieldErrors?: FieldErrors };

export type UserContext = { user: Pick<User, "id" | "email" | "name"> };
export type TeamContext = UserContext & { team: Team; role: TeamRole };

type ActionDef<C, S extends z.ZodType, R, T> = {
  name: string;
  schema: S;
  /**
   * Loads what the rule decides on (the registry, the container, the member), scoped to the
   * caller's team so that a row of another team is "not found". Rule and body get it as `row`.
   */
  load?: (ctx: C & { input: z.output<S> }) => Promise<R>;
  /**
   * Who may do this, and the only place an action says so: throws a SafeError (`forbidden`) when
   * the caller may not. Runs after the input is parsed and the row is loaded.
   */
  rule?: (ctx: C & { input: z.output<S>; row: R }) => void | Promise<void>;
  body: (ctx: C & { input: z.output<S>; row: R }) => Promise<T>;
};

export type Action<T> = (session: Session, raw: unknown) => Promise<ActionResult<T>>;

/** zod issues keyed by their top-level field (`credentials.token` stays as is, `_form` for the root). */
export function fieldErrorsOf(error: z.ZodError): FieldErrors {
  const out: FieldErrors = {};
  for (const issue of error.issues) {
    const key = issue.path.length > 0 ? issue.path.map(String).join(".") : "_form";
    (out[key] ??= []).push(issue.message);
  }
  return out;
}

function toResult(err: unknown, action: string): ActionResult<never> {
  if (err instanceof SafeError) {
    return { ok: false, code: err.code, error: err.message, fieldErrors: err.fieldErrors };
  }
  if (err instanceof z.ZodError) {
    return { ok: false, code: "invalid", error: "Some fields need attention", fieldErrors: fieldErrorsOf(err) };
  }
  logger.error({ action, ...errorForLog(err) }, "action failed");
  return { ok: false, code: "internal", error: "Something went wrong on our side. Nothing was changed; please try again." };
}

async function loadUser(session: Session): Promise<UserContext["user"]> {
  if (!session?.userId) throw new SafeError("unauthenticated", "Please sign in again");
  const [user] = await db()
    .select({ id: users.id, email: users.email, name: users.name })
    .from(users)
    .where(eq(users.id, session.userId));
  if (!user) throw new SafeError("unauthenticated", "Please sign in again");
  return user;
}

/** Refuses what React's reply decoder can produce but a form never sends, before any schema reads it. */
function assertPlainData(raw: unknown) {
  const problems = nonPlainValues(raw);
  if (Object.keys(problems).length > 0) throw new SafeError("invalid", "Some fields need attention", problems);
}

export type ParsedInput<T> = { success: true; data: T } | { success: false; fieldErrors: FieldErrors };

/** For actions outside the wrappers (sign-in, sign-up): plain data first, then the schema. */
export function parseActionInput<S extends z.ZodType>(schema: S, raw: unknown): ParsedInput<z.output<S>> {
  const problems = nonPlainValues(raw);
  if (Object.keys(problems).length > 0) return { success: false, fieldErrors: problems };
  const parsed = schema.safeParse(raw);
  return parsed.success ? { success: true, data: parsed.data } : { success: false, fieldErrors: fieldErrorsOf(parsed.error) };
}

function parseInput<S extends z.ZodType>(schema: S, raw: unknown): z.output<S> {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw parsed.error;
  return parsed.data;
}

/** load → rule → body, once the caller and the input are known. */
async function decideAndRun<C, S extends z.ZodType, R, T>(def: ActionDef<C, S, R, T>, base: C & { input: z.output<S> }): Promise<T> {
  const row = (def.load ? await def.load(base) : undefined) as R;
  const ctx = { ...base, row };
  await def.rule?.(ctx);
  return def.body(ctx);
}

/** session → user → input parse → load → rule → body, for actions that are not about one team. */
export function userAction<S extends z.ZodType, T, R = undefined>(def: ActionDef<UserContext, S, R, T>): Action<T> {
  // The operator's log line and count per call (lib/actions/action-log.ts): `seen` notes who and what.
  return withActionLog(def.name, async (session, raw, seen) => {
    try {
      // The account's own settings (its tokens, teams, password) are for the person, not for a token.
      if (session?.scope) throw new SafeError("forbidden", "An API token cannot do this; sign in to the dashboard");
      const user = await loadUser(session);
      assertPlainData(raw);
      const input = parseInput(def.schema, raw);
      return { ok: true, data: await decideAndRun(def, seen({ user, input })) };
    } catch (err) {
      return toResult(err, def.name);
    }
  });
}

const teamSlugInput = z.object({ teamSlug: storableText().min(1).max(100) });

/** The caller's membership of the team with this slug; "not found" for a team they do not belong to. */
export async function membershipOf(userId: string, teamSlug: string): Promise<{ team: Team; role: TeamRole }> {
  const [row] = await db()
    .select({ team: teams, role: memberships.role })
    .from(teams)
    .innerJoin(memberships, and(eq(memberships.teamId, teams.id), eq(memberships.userId, userId)))
    .where(eq(teams.slug, teamSlug));
  if (!row) throw new SafeError("not_found", "Team not found");
  return row;
}

/**
 * session → user → team membership (from `teamSlug` in the input) → input parse → load → rule → body.
 * The schema describes the input without `teamSlug`.
 */
export function teamAction<S extends z.ZodType, T, R = undefined>(def: ActionDef<TeamContext, S, R, T>): Action<T> {
  // The operator's log line and count per call (lib/actions/action-log.ts): `seen` notes who and what.
  return withActionLog(def.name, async (session, raw, seen) => {
    try {
      const user = await loadUser(session);
      assertPlainData(raw);
      const slug = teamSlugInput.safeParse(raw);
      if (!slug.success) throw new SafeError("not_found", "Team not found");
      const scoped = withinScope(seen(await membershipOf(user.id, slug.data.teamSlug)), session?.scope);
      if (!scoped) throw new SafeError("not_found", "Team not found");
      const { team, role } = scoped;
      const rest = { ...(raw as Record<string, unknown>) };
      delete rest.teamSlug;
      const input = parseInput(def.schema, rest);
      return { ok: true, data: await decideAndRun(def, seen({ user, team, role, input })) };
    } catch (err) {
      return toResult(err, def.name);
    }
  });
}

/** For rules: a role outside `allowed` is refused, saying who can. */
export function requireRole(role: TeamRole, allowed: TeamRole[], what: string) {
  throwIfRefused(allowed.includes(role) ? null : `Only a team ${allowed.join(" or ")} can ${what}`);
}

/** For rules over a permission function's answer: `null` allows, a sentence refuses with it. */
export function throwIfRefused(refusal: string | null) {
  if (refusal) throw new SafeError("forbidden", refusal);
}
