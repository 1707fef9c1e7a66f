import { containerActions } from "@/lib/containers/actions";
import { currentSession } from "@/lib/auth/session";

export const dynamic = "force-dynamic";

const STATUS = { unauthenticated: 401, not_found: 404, invalid: 404, forbidden: 403, conflict: 409, rate_limited: 429, internal: 500 } as const;

/**
 * The container page polls a deploy's steps here while it runs. Not a server action: Next.js runs
 * a client's server actions one after another, so a poll would wait behind the deploy it watches.
 * Through the same action wrapper as everything else: a team the caller is not in, or another
 * team's deployment, is "not found".
 */
export async function GET(_req: Request, { params }: { params: Promise<{ team: string; id: string }> }) {
  const { team: teamSlug, id } = await params;
  const result = await containerActions.progress(await currentSession(), { teamSlug, deploymentId: id });
  const headers = { "cache-control": "no-store" };
  if (result.ok) return Response.json(result.data, { headers });
  return Response.json({ error: result.code === "invalid" ? "Deployment not found" : result.error }, { status: STATUS[result.code], headers });
}
