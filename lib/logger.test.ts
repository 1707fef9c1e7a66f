import { describe, expect, it } from "vitest";
import { Writable } from "node:stream";
import { createLogger, errorForLog } from "./logger";

describe("logging never carries secrets", () => {
  it("cuts SQL parameters out of database errors", () => {
    const err = new Error('Failed query: insert into "users" values ($1, $2)\nparams: usr-1,$argon2id$secret-hash', { cause: Object.assign(new Error("duplicate key"), { code: "23505" }) });
    const logged = JSON.stringify(errorForLog(err));
    expect(logged).not.toContain("secret-hash");
    expect(logged).toContain("params: [redacted]");
    expect(logged).toContain("23505");
  });

  it("redacts secret-named keys at any of the first three levels", () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk, _e, cb) => (lines.push(String(chunk)), cb()) });
    const log = createLogger(sink);
    log.level = "info";
    log.info({ password: "p1-value", creds: { token: "t1-value" }, a: { b: { secretAccessKey: "s1-value" } }, kubeconfig: "k1-value", user: "kept" }, "x");
    const out = lines.join("");
    expect(out).not.toMatch(/p1-value|t1-value|s1-value|k1-value/);
    expect(out).toContain("kept");
    expect(out.match(/\[redacted\]/g)).toHaveLength(4);
  });
});
