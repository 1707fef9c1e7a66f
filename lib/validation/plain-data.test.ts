import { describe, expect, it } from "vitest";
import { MAX_INPUT_DEPTH, NOT_PLAIN, TOO_DEEP, nonPlainValues } from "./plain-data";

/** What React's reply decoder makes of "$T": a function proxy that throws on any property access. */
function temporaryReference() {
  return new Proxy(() => {}, {
    get(_target, name) {
      throw new Error(`Cannot access ${String(name)} on the server`);
    },
  });
}

describe("plain data", () => {
  it("accepts what JSON can express", () => {
    expect(nonPlainValues({ name: "x", n: 1.5, ok: true, none: null, list: [1, "a", { deep: [] }], nested: Object.create(null) })).toEqual({});
    expect(nonPlainValues(undefined)).toEqual({});
  });

  it("names each value JSON cannot express, by its field, without touching it", () => {
    const input = { teamSlug: "t", name: temporaryReference(), credentials: { password: new Date(), token: new Map() }, list: [1n, Symbol("s")] };
    expect(nonPlainValues(input)).toEqual({
      name: [NOT_PLAIN],
      "credentials.password": [NOT_PLAIN],
      "credentials.token": [NOT_PLAIN],
      "list.0": [NOT_PLAIN],
      "list.1": [NOT_PLAIN],
    });
    expect(nonPlainValues(temporaryReference())).toEqual({ _form: [NOT_PLAIN] });
  });

  it("refuses a cycle and a shared object (the decoder's $0 references) without looping", () => {
    const root: Record<string, unknown> = { name: "x" };
    root.a = root;
    root.b = root;
    root.c = root;
    expect(nonPlainValues(root)).toEqual({ a: [NOT_PLAIN], b: [NOT_PLAIN], c: [NOT_PLAIN] });
    const shared = { v: 1 };
    // Which of the two places is reported depends on the walk; exactly one of them is.
    expect(Object.values(nonPlainValues({ x: shared, y: shared }))).toEqual([[NOT_PLAIN]]);
  });

  it("stops at the depth limit, however deep the input goes", () => {
    let deep: unknown = "leaf";
    for (let i = 0; i < 100_000; i++) deep = [deep];
    const problems = nonPlainValues(deep);
    expect(Object.values(problems)).toEqual([[TOO_DEEP]]);
    expect(Object.keys(problems)[0]?.split(".")).toHaveLength(MAX_INPUT_DEPTH);
  });
});
