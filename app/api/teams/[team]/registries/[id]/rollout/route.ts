import { currentSession } from "@/lib/auth/session";
import { membershipOf } from "@/lib/actions/safe-action";
import { registryIdField } from "@/lib/registries/schemas";
import { rolloutOf } from "@/lib/registries/rollout";
import { SafeError } from "@/lib/errors";

export const dynamic = "force-dynamic";

const json = (body: unknown, status = 200) => Response.json(body, { status, headers: { "cache-control": "no-store" } });

/**
 * The registry page polls an apply's progress here. Not a server action: Next.js runs a client's
 * server actions one after another, so a poll would wait behind the apply it is watching.
 * A team the caller is not in, or a registry not in that team, is "not found".
 */
export async function GET(_req: Request, { params }: { params: Promise<{ team: string; id: string }> }) {
  const session = await currentSession();
  if (!session) return json({ error: "Please sign in again" }, 401);
  const { team: teamSlug, id } = await params;
  if (!registryIdField.safeParse(id).success) return json({ error: "Registry not found" }, 404);
  try {
    const { team } = await membershipOf(session.userId, teamSlug);
    return json(await rolloutOf(team.id, id));
  } catch (err) {
    if (err instanceof SafeError && err.code === "not_found") return json({ error: err.message }, 404);
    throw err;
  }
}
