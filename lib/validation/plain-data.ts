/**
 * Server action arguments arrive through React's reply decoder, which turns some strings into
 * values JSON cannot express: `"$T"` becomes an opaque temporary reference (a proxy that throws
 * on any property access, so even a schema's length check would crash), `"$D…"` a Date, `"$Q…"`
 * a Map, `"$h…"` a function, `"$0"` the argument itself (a cycle). A form only ever sends
 * JSON-shaped data, so anything else is refused before a schema sees it.
 */

export const MAX_INPUT_DEPTH = 32;

export const NOT_PLAIN = "Must be text, a number, true/false, a list or an object";
export const TOO_DEEP = `Nested more than ${MAX_INPUT_DEPTH} levels deep`;

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * The problems of a decoded input, keyed like field errors (`credentials.password`, `_form` for
 * the root); empty when it is plain JSON-shaped data. Iterative, so no depth can overflow the stack.
 */
export function nonPlainValues(input: unknown): Record<string, string[]> {
  const problems: Record<string, string[]> = {};
  // JSON never shares an object between two places: a second sighting is a decoder reference.
  const seen = new Set<object>();
  const stack: { value: unknown; path: string[] }[] = [{ value: input, path: [] }];
  while (stack.length > 0) {
    const { value, path } = stack.pop()!;
    const key = path.length > 0 ? path.join(".") : "_form";
    if (value === null || value === undefined || typeof value === "string" || typeof value === "number" || typeof value === "boolean") continue;
    if (typeof value !== "object" || !(Array.isArray(value) || isPlainObject(value)) || seen.has(value)) {
      problems[key] = [NOT_PLAIN];
      continue;
    }
    if (path.length >= MAX_INPUT_DEPTH) {
      problems[key] = [TOO_DEEP];
      continue;
    }
    seen.add(value);
    for (const [k, v] of Object.entries(value)) stack.push({ value: v, path: [...path, k] });
  }
  return problems;
}
