import { describe, expect, it } from "vitest";
import { failureDetail, networkFailure, unreachableWords } from "./network-failure";

const err = (code: string) => Object.assign(new Error(`connect ${code}`), { code });

describe("network failures in plain words", () => {
  it("names the cause in words and keeps the code for a detail line", () => {
    expect(unreachableWords("ghcr.io", networkFailure(err("ENOTFOUND"), 5000))).toEqual({
      message: "Couldn't reach ghcr.io from this server — the name does not resolve",
      detail: "DNS lookup failed: ENOTFOUND",
    });
    expect(unreachableWords("10.0.0.1:6443", networkFailure(err("ECONNREFUSED"), 5000))).toEqual({
      message: "Couldn't reach 10.0.0.1:6443 from this server — the connection was refused: nothing listens there",
      detail: "Network error: ECONNREFUSED",
    });
    expect(unreachableWords("r.example", networkFailure(err("CERT_HAS_EXPIRED"), 5000))).toEqual({ message: "Couldn't connect securely to r.example — its certificate has expired", detail: "TLS error: CERT_HAS_EXPIRED" });
  });

  it("a timeout names its bound; an unknown failure keeps a well-formed code only", () => {
    expect(networkFailure(Object.assign(new Error("aborted"), { name: "TimeoutError" }), 5000)).toEqual({ kind: "timeout", words: "it did not answer within 5 s" });
    expect(failureDetail(networkFailure(err("EWHATEVER"), 5000))).toBe("Network error: EWHATEVER");
    expect(networkFailure(Object.assign(new Error("x"), { code: "not a code <script>" }), 5000)).toEqual({ kind: "network", words: "the connection failed", code: undefined });
  });
});
