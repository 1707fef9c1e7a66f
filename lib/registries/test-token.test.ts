import { describe, expect, it } from "vitest";
import type { TestOutcome } from "@/db/schema";
import { TEST_TOKEN_TTL_MS, issueTestToken, keptTest, type TestBinding } from "./test-token";

const binding: TestBinding = { teamId: "team-1", userId: "usr-1", type: "Custom", credentials: { url: "https://r.example", username: "u", password: "p" } };
const outcome: TestOutcome = { ok: true, message: "Valid", live: { status: "valid", ok: true, message: "Valid: r.example accepted the credentials" } };
const at = new Date("2030-01-01T00:00:00Z");

describe("a Test Connection kept for exactly the credentials it tested", () => {
  it("is accepted for the same team, user, type and credentials (in any key order), within its lifetime", () => {
    const token = issueTestToken(binding, outcome, at);
    const reordered = { ...binding, credentials: { password: "p", username: "u", url: "https://r.example" } };
    expect(keptTest(token, reordered, at.getTime() + 60_000)).toEqual({ at, outcome });
  });

  it("is ignored for other credentials, another user, team or type, once expired, or when tampered with", () => {
    const token = issueTestToken(binding, outcome, at);
    const now = at.getTime() + 1000;
    expect(keptTest(token, { ...binding, credentials: { ...binding.credentials, password: "other" } }, now)).toBeUndefined();
    expect(keptTest(token, { ...binding, userId: "usr-2" }, now)).toBeUndefined();
    expect(keptTest(token, { ...binding, teamId: "team-2" }, now)).toBeUndefined();
    expect(keptTest(token, { ...binding, type: "GHCR" }, now)).toBeUndefined();
    expect(keptTest(token, binding, at.getTime() + TEST_TOKEN_TTL_MS + 1)).toBeUndefined();
    const [payload, mac] = token.split(".");
    const forged = Buffer.from(JSON.stringify({ at: at.toISOString(), outcome: { ...outcome, ok: true, message: "forged" } })).toString("base64url");
    expect(keptTest(`${forged}.${mac}`, binding, now)).toBeUndefined();
    expect(keptTest(`${payload}.${mac}.x`, binding, now)).toBeUndefined();
    expect(keptTest(undefined, binding, now)).toBeUndefined();
  });

  it("does not carry the credentials themselves", () => {
    const token = issueTestToken(binding, outcome, at);
    expect(Buffer.from(token.split(".")[0]!, "base64url").toString()).not.toContain("https://r.example\",\"username");
    expect(Buffer.from(token.split(".")[0]!, "base64url").toString()).not.toMatch(/"password"|"p"/);
  });
});
