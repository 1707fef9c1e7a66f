import { afterEach, describe, expect, it, vi } from "vitest";
import { proxyIdentity, signProxyIdentity } from "@/lib/auth/proxy-identity";

describe("the identity the proxy hands a page", () => {
  afterEach(() => vi.useRealTimers());

  it("reads back the user the proxy signed for", () => {
    expect(proxyIdentity(signProxyIdentity("user.with.dots"))).toBe("user.with.dots");
  });

  it("refuses a header a client wrote, changed or replayed after a minute", () => {
    const signed = signProxyIdentity("alice");
    const [, expiresAt, signature] = signed.split(".");
    expect(proxyIdentity(null)).toBeUndefined();
    expect(proxyIdentity("alice")).toBeUndefined();
    expect(proxyIdentity(`mallory.${expiresAt}.${signature}`)).toBeUndefined();
    expect(proxyIdentity(`alice.${Number(expiresAt) + 60_000}.${signature}`)).toBeUndefined();
    vi.useFakeTimers({ now: Date.now() + 61_000 });
    expect(proxyIdentity(signed)).toBeUndefined();
  });
});
