import { dbHandle } from "@/db";
import { pingDatabase } from "@/db/client";

export const dynamic = "force-dynamic";

export async function GET() {
  const ok = await pingDatabase(dbHandle().db);
  return Response.json(
    { status: ok ? "ok" : "unavailable", database: ok ? "reachable" : "unreachable" },
    { status: ok ? 200 : 503, headers: { "cache-control": "no-store" } },
  );
}
