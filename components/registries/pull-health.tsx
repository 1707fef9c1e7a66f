import Link from "next/link";
import { Badge } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { CardHeader } from "@/components/ui/card-header";
import { formatDateTime } from "@/lib/format";
import { pullFailureLabel, pullFailureWords } from "@/lib/deploy/pull-failure";
import type { EnvironmentPullHealth } from "@/lib/registries/pull-health";

/** Where the registry's credentials are used, and whether the pods there could pull. */
export function PullHealth({ health, teamSlug }: { health: EnvironmentPullHealth[]; teamSlug: string }) {
  return (
    <Card id="pull-health">
      <CardHeader
        title="Pull health"
        description="Whether the pods (or tasks) using this registry could pull, as read from each orchestrator every 2 minutes."
      />
      {health.length === 0 ? (
        <p className="px-5 py-4 text-sm text-slate-600">No container uses this registry yet.</p>
      ) : (
        <ul className="divide-y divide-slate-100">
          {health.map((h) => (
            <li key={h.environmentId} className="px-5 py-3 text-sm">
              <div className="flex flex-wrap items-center justify-between gap-2">
                <Link href={`/t/${teamSlug}/environments/${h.environmentId}`} className="font-medium text-slate-900 hover:underline">
                  {h.environmentName}
                </Link>
                <StatusBadge health={h} />
              </div>
              <p className="mt-1 text-slate-600">
                {h.status === "failing" && h.failure ? (
                  <>
                    Failing since {h.since ? formatDateTime(h.since) : "the last check"}: <strong>{pullFailureLabel(h.failure.reason)}</strong> for{" "}
                    {h.failingContainers.join(", ")}. {pullFailureWords(h.failure.reason)}
                  </>
                ) : h.status === "ok" ? (
                  <>
                    Pulling OK ({h.containers.join(", ")}){h.checkedAt ? `, checked ${formatDateTime(h.checkedAt)}` : ""}.
                  </>
                ) : (
                  <>Not checked yet ({h.containers.join(", ")}): the watcher reads it within 2 minutes of a deploy.</>
                )}
              </p>
              {h.unreachable && <p className="mt-1 text-amber-800">The orchestrator did not answer the last check: {h.unreachable}</p>}
              {h.status === "failing" && h.failure?.message && (
                <details className="mt-1 text-slate-600">
                  <summary className="cursor-pointer text-slate-700">What the orchestrator said</summary>
                  <pre className="mt-1 whitespace-pre-wrap break-words rounded bg-slate-50 p-2 font-mono text-xs">{h.failure.message}</pre>
                </details>
              )}
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}

function StatusBadge({ health }: { health: EnvironmentPullHealth }) {
  if (health.status === "failing") return <Badge tone="red">Pull failing</Badge>;
  if (health.status === "ok") return <Badge tone="green">Pulling OK</Badge>;
  return <Badge>Not checked yet</Badge>;
}
