import { openApiDocument } from "@/lib/api/openapi";

export const dynamic = "force-dynamic";

/** Public: the document describes the API, not any team's data. */
export function GET() {
  return Response.json(openApiDocument(), { headers: { "cache-control": "public, max-age=300" } });
}
