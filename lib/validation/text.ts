import { z } from "zod";

// Every schema a form parses in the browser imports this module, so this runs before the first
// parse there: zod would otherwise probe `new Function` to compile faster parsers, and the CSP
// (proxy.ts, no 'unsafe-eval') reports each probe as a violation. The server keeps compiling.
if (typeof window !== "undefined") z.config({ jitless: true });

/**
 * NUL and unpaired UTF-16 surrogates cannot be saved faithfully: PostgreSQL refuses NUL in text
 * and a lone surrogate in jsonb, and turns a lone surrogate in a text column into U+FFFD (a
 * saved password would not be what was typed). A regex rather than `String.prototype.isWellFormed`
 * because the forms run these schemas in browsers that lack it.
 */
const UNSTORABLE = /[\u0000\ud800-\udfff]/u;

export const UNSTORABLE_TEXT = "Contains a character that cannot be saved (a NUL or an unpaired surrogate): retype it";

export function isStorableText(value: string): boolean {
  return !UNSTORABLE.test(value);
}

/**
 * `z.string()` for every text that comes in: refuses NUL and ill-formed Unicode with a field
 * error before any other check of the field runs.
 */
export function storableText(params?: Parameters<typeof z.string>[0]) {
  return z.string(params).refine(isStorableText, { message: UNSTORABLE_TEXT, abort: true });
}
