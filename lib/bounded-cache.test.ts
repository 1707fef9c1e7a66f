import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { BoundedCache } from "./bounded-cache";

describe("BoundedCache", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("keeps an entry for its time to live from when it was stored, reads do not extend it", () => {
    const cache = new BoundedCache<string, string>(10, 1000);
    cache.set("a", "secret");
    vi.advanceTimersByTime(600);
    expect(cache.get("a")).toBe("secret");
    vi.advanceTimersByTime(399);
    expect(cache.get("a")).toBe("secret");
    vi.advanceTimersByTime(1);
    expect(cache.get("a")).toBeUndefined();
  });

  it("forgets an entry at once when asked (a deleted or rewritten environment's secrets)", () => {
    const cache = new BoundedCache<string, string>(10, 1000);
    cache.set("a", "secret");
    cache.set("b", "other");
    cache.delete("a");
    expect(cache.get("a")).toBeUndefined();
    expect(cache.get("b")).toBe("other");
    expect(cache.size).toBe(1);
  });

  it("drops expired entries nobody asks for again", () => {
    const cache = new BoundedCache<string, string>(10, 1000);
    cache.set("a", "1");
    vi.advanceTimersByTime(500);
    cache.set("b", "2");
    vi.advanceTimersByTime(500);
    expect(cache.size).toBe(1);
    vi.advanceTimersByTime(500);
    expect(cache.size).toBe(0);
  });

  it("makes room by dropping the oldest stored entry; storing again renews an entry", () => {
    const cache = new BoundedCache<string, number>(2, 1000);
    cache.set("a", 1);
    cache.set("b", 2);
    cache.set("a", 3);
    cache.set("c", 4);
    expect([cache.get("a"), cache.get("b"), cache.get("c")]).toEqual([3, undefined, 4]);
    expect(cache.size).toBe(2);
  });
});
