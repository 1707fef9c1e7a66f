import { describe, expect, it, vi } from "vitest";
import { openDatabase, pingDatabase } from "@/db/client";

describe("GET /api/health", () => {
  it("answers 200 when the database is reachable", async () => {
    const { GET } = await import("@/app/api/health/route");
    const res = await GET();
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok", database: "reachable" });
  });

  it("answers 503 when it is not", async () => {
    // A port nothing listens on: the connection is refused.
    vi.stubEnv("DATABASE_URL", "postgres://postgres@127.0.0.1:1/nowhere");
    vi.resetModules();
    (globalThis as { __dbHandle?: unknown; __appEnv?: unknown }).__dbHandle = undefined;
    (globalThis as { __dbHandle?: unknown; __appEnv?: unknown }).__appEnv = undefined;
    const { GET } = await import("@/app/api/health/route");
    const res = await GET();
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ status: "unavailable", database: "unreachable" });
  });

  it("gives up on a database that does not answer within the timeout", async () => {
    const handle = openDatabase({ databaseUrl: "postgres://postgres@127.0.0.1:1/nowhere", dataDir: "/tmp" });
    const started = Date.now();
    expect(await pingDatabase(handle.db, 300)).toBe(false);
    expect(Date.now() - started).toBeLessThan(2000);
    await handle.close();
  });
});
