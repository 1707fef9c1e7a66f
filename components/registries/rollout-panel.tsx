"use client";
import { useCallback, useEffect, useMemo, useState, useTransition } from "react";
import { useRouter } from "next/navigation";
import { toast } from "@/components/ui/toast";
import { RefreshCw, Send } from "lucide-react";
import type { RolloutView } from "@/lib/registries/rollout";
import { registryClient } from "@/lib/registries/client";
import { formatDateTime } from "@/lib/format";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { CardHeader } from "@/components/ui/card-header";
import { FormError } from "@/components/ui/field";
import { ProbeResults, probeSummary } from "./probe-results";

const POLL_MS = 1000;
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/**
 * "Apply to N environments now" after a rotation, its progress and failures, and the pull probe.
 * While an apply runs, progress is polled from a route handler: the apply itself is a server
 * action, and Next.js would queue a polling action behind it.
 */
export function RolloutPanel(props: { teamSlug: string; initial: RolloutView; mayApply: boolean; applyRefusal?: string }) {
  const router = useRouter();
  const [view, setView] = useState(props.initial);
  const [applying, setApplying] = useState(false);
  const [probing, startProbing] = useTransition();
  const [error, setError] = useState<string>();
  const registry = useMemo(() => registryClient(props.teamSlug), [props.teamSlug]);
  const url = `/api/teams/${encodeURIComponent(props.teamSlug)}/registries/${view.registryId}/rollout`;

  const reload = useCallback(async () => {
    const res = await fetch(url, { cache: "no-store" });
    if (res.ok) setView((await res.json()) as RolloutView);
  }, [url]);

  const watching = applying || view.running;
  useEffect(() => {
    if (!watching) return;
    const timer = setInterval(() => void reload().catch(() => undefined), POLL_MS);
    return () => clearInterval(timer);
  }, [watching, reload]);

  async function apply() {
    setError(undefined);
    setApplying(true);
    try {
      const result = await registry.apply({ registryId: view.registryId });
      if (!result.ok) setError(result.error);
      else {
        const { apply: a, probe } = result.data;
        const failed = a.failed.length;
        const summary = `Applied version ${a.credentialVersion} to ${a.done} of ${plural(a.total, "environment")}${probe ? `; ${probeSummary(probe, "the credentials")}` : ""}`;
        if (failed > 0 || (probe && probe.passed < probe.total)) toast.warning(summary);
        else toast.success(summary);
      }
    } finally {
      setApplying(false);
      await reload().catch(() => undefined);
      router.refresh();
    }
  }

  function probeAgain() {
    setError(undefined);
    startProbing(async () => {
      const result = await registry.probe({ registryId: view.registryId });
      if (!result.ok) setError(result.error);
      await reload().catch(() => undefined);
    });
  }

  const a = view.lastApply;
  const probe = view.lastProbe;
  const finished = a?.finishedAt !== undefined;
  const processed = a ? a.done + a.failed.length : 0;

  return (
    <Card data-testid="rollout">
      <CardHeader
        title="Rollout"
        description={`Credential version ${view.credentialVersion}: where the platform keeps these credentials (a Secret per Kubernetes environment, the registry auth of each Swarm service), and whether they can pull.`}
      />
      <div className="space-y-4 p-5 text-sm">
        <FormError message={error} />
        {view.total === 0 ? (
          <p className="text-slate-600">No Kubernetes or Swarm environment uses this registry yet: nothing to roll out.</p>
        ) : view.stale.length > 0 ? (
          <div className="space-y-3 rounded-md border border-amber-200 bg-amber-50 px-4 py-3 text-amber-900" data-testid="rollout-stale">
            <p>
              {view.stale.length} of {plural(view.total, "environment")} hold{view.stale.length === 1 ? "s" : ""} an older credential version than {view.credentialVersion}, or none yet:{" "}
              {view.stale
                .slice(0, 10)
                .map((s) => `${s.name} (${s.heldVersion === null ? "never written" : `version ${s.heldVersion}`})`)
                .join(", ")}
              {view.stale.length > 10 ? `, and ${view.stale.length - 10} more` : ""}. Until then their next pull uses the old credentials, or none.
            </p>
            {props.mayApply ? (
              <Button onClick={apply} pending={watching} disabled={watching} aria-describedby="apply-help">
                <Send className="h-4 w-4" aria-hidden /> Apply to {plural(view.total, "environment")} now
              </Button>
            ) : (
              <p className="text-xs">{props.applyRefusal}</p>
            )}
            <p id="apply-help" className="text-xs">
              Rewrites every Secret and Swarm service holding this registry&apos;s credentials; running containers keep running and pull with the new ones next time. Then every image in use is probed.
            </p>
          </div>
        ) : (
          <p className="text-emerald-800" data-testid="rollout-current">
            All {plural(view.total, "environment")} hold credential version {view.credentialVersion}.
          </p>
        )}
        {view.composeEnvironments > 0 && (
          <p className="text-xs text-slate-600">
            {plural(view.composeEnvironments, "Compose environment")} log in afresh at every deploy: nothing is kept there to rewrite.
          </p>
        )}

        <div aria-live="polite" data-testid="apply-progress">
          {a && (
            <div className="space-y-2" role="status">
              {!finished && watching ? (
                <>
                  <p className="font-medium text-slate-900">
                    {processed < a.total ? `Applying version ${a.credentialVersion}: ${processed} of ${a.total} environments` : `All ${a.total} environments done; probing the images in use…`}
                  </p>
                  <progress className="h-2 w-full accent-slate-900" max={Math.max(a.total, 1)} value={processed} aria-label="Environments done" />
                </>
              ) : (
                <p className="text-slate-800">
                  {finished ? "Last apply" : "An apply that did not finish (its server stopped)"}, {formatDateTime(a.at)}: version {a.credentialVersion} written to {a.done} of {plural(a.total, "environment")}
                  {a.failed.length > 0 ? `; ${a.failed.length} failed` : ""}.
                </p>
              )}
              {a.failed.length > 0 && (
                <ul className="space-y-1 rounded-md border border-red-200 bg-red-50 px-3 py-2 text-red-800" data-testid="apply-failures">
                  {a.failed.map((f) => (
                    <li key={f.where}>
                      <span className="font-medium">{f.where}:</span> {f.message}
                    </li>
                  ))}
                </ul>
              )}
            </div>
          )}
        </div>

        {view.imagesInUse > 0 && (
          <div className="space-y-2" aria-live="polite" data-testid="probe-result">
            <div className="flex flex-wrap items-center justify-between gap-2">
              <p className={probe ? (probe.passed === probe.total ? "font-medium text-emerald-800" : "font-medium text-red-700") : "text-slate-600"}>
                {probe
                  ? `${probeSummary(probe, probe.credentialVersion === view.credentialVersion ? "The current credentials" : `Version ${probe.credentialVersion} of the credentials`)} (probed ${formatDateTime(probe.at)})`
                  : `Not probed yet: ${plural(view.imagesInUse, "image")} in use.`}
              </p>
              <Button variant="secondary" size="sm" onClick={probeAgain} pending={probing} disabled={watching}>
                <RefreshCw className="h-4 w-4" aria-hidden /> {probe ? "Probe again" : "Probe now"}
              </Button>
            </div>
            {probe && probe.results.length > 0 && <ProbeResults results={probe.results} />}
          </div>
        )}
      </div>
    </Card>
  );
}
