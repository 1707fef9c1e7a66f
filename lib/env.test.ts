import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { EnvError, loadEnv } from "./env";

const tmp = () => mkdtempSync(path.join(tmpdir(), "regdash-env-"));

describe("env", () => {
  it("generates AUTH_SECRET and the credential key once, mode 0600, and reuses them", () => {
    const dir = tmp();
    const first = loadEnv({ DATA_DIR: dir });
    const file = path.join(dir, "secrets.json");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(first.credentialsKey).toHaveLength(32);
    const second = loadEnv({ DATA_DIR: dir });
    expect(second.authSecret).toBe(first.authSecret);
    expect(second.credentialsKey.equals(first.credentialsKey)).toBe(true);
    expect(JSON.parse(readFileSync(file, "utf8")).authSecret).toBe(first.authSecret);
  });

  it("uses values from the environment and writes nothing", () => {
    const dir = tmp();
    const key = Buffer.alloc(32, 1).toString("base64");
    const e = loadEnv({ DATA_DIR: dir, AUTH_SECRET: "x".repeat(40), CREDENTIALS_KEY: key, DATABASE_URL: "postgres://u@h/db" });
    expect(e.credentialsKey.equals(Buffer.alloc(32, 1))).toBe(true);
    expect(e.databaseUrl).toBe("postgres://u@h/db");
    expect(() => statSync(path.join(dir, "secrets.json"))).toThrow();
  });

  it.each([
    [{ CREDENTIALS_KEY: Buffer.alloc(16).toString("base64") }, /CREDENTIALS_KEY: must be 32 random bytes/],
    [{ CREDENTIALS_KEY: "not base64!" }, /CREDENTIALS_KEY/],
    [{ AUTH_SECRET: "short" }, /AUTH_SECRET: must be at least 32 characters/],
    [{ DATABASE_URL: "mysql://x" }, /DATABASE_URL: must be a postgres/],
    [{ LOG_LEVEL: "loud" }, /LOG_LEVEL/],
    [{ DEPLOY_ROLLOUT_TIMEOUT_SECONDS: "2m" }, /DEPLOY_ROLLOUT_TIMEOUT_SECONDS: must be a whole number of seconds/],
    [{ DEPLOY_ROLLOUT_TIMEOUT_SECONDS: "0" }, /DEPLOY_ROLLOUT_TIMEOUT_SECONDS: must be a whole number of seconds/],
  ])("refuses %o with a clear message", (vars, message) => {
    expect(() => loadEnv({ DATA_DIR: tmp(), ...vars })).toThrow(EnvError);
    expect(() => loadEnv({ DATA_DIR: tmp(), ...vars })).toThrow(message);
  });
});

describe("deploy rollout timeout", () => {
  it("waits 2 minutes unless DEPLOY_ROLLOUT_TIMEOUT_SECONDS says otherwise", () => {
    expect(loadEnv({ DATA_DIR: tmp() }).deployRolloutTimeoutSeconds).toBe(120);
    expect(loadEnv({ DATA_DIR: tmp(), DEPLOY_ROLLOUT_TIMEOUT_SECONDS: "300" }).deployRolloutTimeoutSeconds).toBe(300);
  });
});

describe("previous credential keys", () => {
  it("parses id:key pairs and refuses malformed ones", () => {
    const key = Buffer.alloc(32, 3).toString("base64");
    const e = loadEnv({ DATA_DIR: tmp(), CREDENTIALS_PREVIOUS_KEYS: `k0:${key}, old-1:${key}` });
    expect(e.previousCredentialsKeys.map((k) => k.id)).toEqual(["k0", "old-1"]);
    expect(() => loadEnv({ DATA_DIR: tmp(), CREDENTIALS_PREVIOUS_KEYS: "k0" })).toThrow(/CREDENTIALS_PREVIOUS_KEYS: must be a comma-separated/);
  });
});
