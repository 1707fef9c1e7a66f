import { describe, expect, it } from "vitest";
import { awaitRollout, isRolledOut, selectorQuery, type WorkloadState } from "./rollout";

const state = (over: Partial<WorkloadState> = {}): WorkloadState => ({
  exists: true,
  desired: 2,
  updated: 2,
  ready: 2,
  available: 2,
  total: 2,
  observedCurrent: true,
  instances: [],
  at: new Date().toISOString(),
  ...over,
});

describe("selectorQuery", () => {
  it("writes matchLabels and matchExpressions the way kubectl does", () => {
    expect(
      selectorQuery({
        matchLabels: { "dockyard.dev/container-id": "ctr-1", tier: "web" },
        matchExpressions: [
          { key: "env", operator: "In", values: ["prod", "stage"] },
          { key: "canary", operator: "DoesNotExist" },
          { key: "zone", operator: "NotIn", values: ["a"] },
          { key: "team", operator: "Exists" },
        ],
      }),
    ).toBe("dockyard.dev/container-id=ctr-1,tier=web,env in (prod,stage),!canary,zone notin (a),team");
    expect(selectorQuery(undefined)).toBe("");
  });
});

describe("isRolledOut", () => {
  it("needs the latest spec observed, every replica updated and available, and no old ones left", () => {
    expect(isRolledOut(state())).toBe(true);
    expect(isRolledOut(state({ observedCurrent: false }))).toBe(false);
    expect(isRolledOut(state({ updated: 1 }))).toBe(false);
    expect(isRolledOut(state({ available: 1, ready: 1 }))).toBe(false);
    expect(isRolledOut(state({ total: 3 }))).toBe(false);
    expect(isRolledOut(state({ exists: false }))).toBe(false);
    expect(isRolledOut(state({ desired: 0, updated: 0, ready: 0, available: 0, total: 0 }))).toBe(true);
  });
});

describe("awaitRollout", () => {
  it("reports each state and ends once rolled out", async () => {
    const states = [state({ observedCurrent: false, ready: 0, available: 0 }), state({ ready: 1, available: 1 }), state()];
    const seen: number[] = [];
    const result = await awaitRollout(async () => states.shift()!, { timeoutMs: 5000, pollMs: 10, onState: (s) => void seen.push(s.ready) });
    expect(result.outcome).toBe("rolled_out");
    expect(seen).toEqual([0, 1, 2]);
  });

  it("ends at the first pull failure", async () => {
    let reads = 0;
    const failing = state({ ready: 0, available: 0, pullFailure: { reason: "credentials_refused", message: "unauthorized" } });
    const result = await awaitRollout(async () => (++reads, failing), { timeoutMs: 5000, pollMs: 10 });
    expect(result).toMatchObject({ outcome: "pull_failed", state: { pullFailure: { reason: "credentials_refused" } } });
    expect(reads).toBe(1);
  });

  it("times out with the last state read", async () => {
    const started = Date.now();
    const result = await awaitRollout(async () => state({ ready: 1, available: 1 }), { timeoutMs: 150, pollMs: 20 });
    expect(result).toMatchObject({ outcome: "rollout_timeout", state: { ready: 1 } });
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it("rides out one failed read, not two in a row", async () => {
    let reads = 0;
    const flaky = async () => {
      reads++;
      if (reads === 1) throw new Error("blip");
      return state();
    };
    expect((await awaitRollout(flaky, { timeoutMs: 5000, pollMs: 10 })).outcome).toBe("rolled_out");
    const broken = async () => {
      throw new Error("the API server did not answer in time");
    };
    await expect(awaitRollout(broken, { timeoutMs: 5000, pollMs: 10 })).rejects.toThrow("did not answer in time");
  });
});
