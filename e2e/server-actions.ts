import { readFileSync } from "node:fs";
import path from "node:path";
import type { Page } from "@playwright/test";

/**
 * Calling a server action over HTTP, as the browser does and as an attacker would: a POST to a
 * page with `Next-Action: <id>` and the arguments as a JSON body, answered as React Flight.
 */

type Manifest = { node: Record<string, { filename: string; exportedName: string }> };

/** The action id the production build gave an exported server action. */
export function actionId(filename: string, exportedName: string): string {
  const manifest = JSON.parse(readFileSync(path.resolve(import.meta.dirname, "../.next/server/server-reference-manifest.json"), "utf8")) as Manifest;
  const found = Object.entries(manifest.node).find(([, a]) => a.filename === filename && a.exportedName === exportedName);
  if (!found) throw new Error(`no server action ${exportedName} in ${filename}: build first (npx next build)`);
  return found[0];
}

/** Rows of a React Flight response by id; `T` rows carry a byte length and may span lines. */
function flightRows(body: Buffer): Map<string, string> {
  const rows = new Map<string, string>();
  let at = 0;
  while (at < body.length) {
    const colon = body.indexOf(0x3a, at);
    if (colon < 0) break;
    const id = body.toString("latin1", at, colon);
    if (body[colon + 1] === 0x54 /* T */) {
      const comma = body.indexOf(0x2c, colon);
      const end = comma + 1 + parseInt(body.toString("latin1", colon + 2, comma), 16);
      rows.set(id, JSON.stringify(body.toString("utf8", comma + 1, end)));
      at = end;
    } else {
      const newline = body.indexOf(0x0a, colon);
      const end = newline < 0 ? body.length : newline;
      rows.set(id, body.toString("utf8", colon + 1, end));
      at = end + 1;
    }
  }
  return rows;
}

export type ActionResult = { ok: true; data: Record<string, unknown> } | { ok: false; code: string; fieldErrors?: Record<string, unknown> };

/** The action's return value: row 0 holds `{ a }`, inline or as a reference to another row. */
export function actionResult(body: Buffer): ActionResult {
  const rows = flightRows(body);
  const root = JSON.parse(rows.get("0") ?? "null") as { a?: unknown } | null;
  const a = root?.a;
  const value = typeof a === "string" && a.startsWith("$@") ? JSON.parse(rows.get(a.slice(2)) ?? "null") : a;
  if (!value || typeof value !== "object" || typeof (value as { ok?: unknown }).ok !== "boolean") throw new Error(`not an action result: ${body.toString("utf8", 0, 300)}`);
  return value as ActionResult;
}

export type Caller = (pagePath: string, id: string, args: unknown[]) => Promise<{ status: number; result?: ActionResult }>;

export async function callerFor(page: Page, baseURL: string): Promise<Caller> {
  const cookie = (await page.context().cookies()).map((c) => `${c.name}=${c.value}`).join("; ");
  return async (pagePath, id, args) => {
    const res = await fetch(new URL(pagePath, baseURL), {
      method: "POST",
      // What the browser's action call sends, with the arguments left undecorated: the browser
      // escapes a leading "$" as "$$", an attacker does not.
      headers: { "Next-Action": id, "Content-Type": "text/plain;charset=UTF-8", Accept: "text/x-component", Origin: baseURL, Cookie: cookie },
      body: JSON.stringify(args),
      redirect: "manual",
    });
    const body = Buffer.from(await res.arrayBuffer());
    return { status: res.status, result: res.status === 200 ? actionResult(body) : undefined };
  };
}
