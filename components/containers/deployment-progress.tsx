"use client";
import { useEffect, useRef, useState } from "react";
import { useRouter } from "next/navigation";
import { toast } from "@/components/ui/toast";
import { CheckCircle2, Circle, Loader2, XCircle } from "lucide-react";
import type { DeploymentStep, RolloutState } from "@/db/schema";
import type { DeploymentProgress } from "@/lib/containers/deployments";
import type { PullFailureView } from "@/lib/containers/service";
import { formatDateTime } from "@/lib/format";
import { Badge } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { CardHeader } from "@/components/ui/card-header";
import { CodeBlock } from "@/components/ui/code-block";

const POLL_MS = 1000;
const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

const OUTCOME: Record<string, { label: string; tone: "green" | "red" | "amber" }> = {
  rolled_out: { label: "rolled out", tone: "green" },
  pull_failed: { label: "pull failed", tone: "red" },
  rollout_timeout: { label: "rollout timed out", tone: "amber" },
  failed: { label: "failed", tone: "red" },
};

/** The badge for a deployment: its outcome once known, else its status. */
export function OutcomeBadge({ status, outcome }: { status: string; outcome: string | null }) {
  const known = outcome ? OUTCOME[outcome] : undefined;
  if (known) return <Badge tone={known.tone}>{known.label}</Badge>;
  return <Badge tone={status === "running" ? "blue" : status === "succeeded" ? "green" : "red"}>{status}</Badge>;
}

function StepIcon({ status }: { status: DeploymentStep["status"] }) {
  if (status === "done") return <CheckCircle2 className="h-5 w-5 shrink-0 text-emerald-700" aria-hidden />;
  if (status === "failed") return <XCircle className="h-5 w-5 shrink-0 text-red-700" aria-hidden />;
  if (status === "running") return <Loader2 className="h-5 w-5 shrink-0 animate-spin text-blue-700" aria-hidden />;
  return <Circle className="h-5 w-5 shrink-0 text-slate-400" aria-hidden />;
}

const STEP_STATUS_WORDS: Record<DeploymentStep["status"], string> = { pending: "not started", running: "in progress", done: "done", failed: "failed" };

/** The steps of one deploy, in order, each with what it did (or why it failed). */
export function StepList({ steps }: { steps: DeploymentStep[] }) {
  return (
    <ol className="space-y-2" aria-label="Deploy steps">
      {steps.map((step) => (
        <li key={step.name} className="flex items-start gap-3 text-sm" data-testid={`step-${step.name.replace(/\s+/g, "-")}`} data-status={step.status}>
          <StepIcon status={step.status} />
          <div className="min-w-0">
            <span className="font-medium text-slate-900">{capitalise(step.name)}</span>
            <span className="sr-only">: {STEP_STATUS_WORDS[step.status]}</span>
            {step.detail && <p className={step.status === "failed" ? "break-words text-red-800" : "break-words text-slate-600"}>{step.detail}</p>}
          </div>
        </li>
      ))}
    </ol>
  );
}

/** A pull failure in plain words, with the orchestrator's own (redacted) text behind a disclosure. */
export function PullFailureNotice({ failure }: { failure: PullFailureView }) {
  return (
    <div className="rounded-md border border-red-200 bg-red-50 p-4 text-sm text-red-900" data-testid="pull-failure">
      <p className="font-semibold">Pull failed: {failure.label}</p>
      <p className="mt-1">{failure.words}</p>
      {(failure.image || failure.since) && (
        <p className="mt-1 text-red-800">
          {failure.image && (
            <>
              Image <span className="font-mono">{failure.image}</span>
            </>
          )}
          {failure.since && <> · failing since {formatDateTime(failure.since)}</>}
        </p>
      )}
      <details className="mt-2">
        <summary className="cursor-pointer font-medium underline-offset-2 hover:underline">What the orchestrator said</summary>
        <CodeBlock label="What the orchestrator said" className="mt-2 max-h-48 whitespace-pre-wrap break-words bg-white text-slate-800">
          {failure.message}
        </CodeBlock>
      </details>
    </div>
  );
}

const readyWords = (r: RolloutState) => `${r.ready}/${r.desired} ready${r.updated < r.desired ? `, ${r.updated} updated` : ""}`;

/** What ended the deploy, kept on the page: success, the pull failure, the timeout, or the failed step. */
function Ending({ deployment }: { deployment: DeploymentProgress }) {
  if (deployment.status === "running") return null;
  if (deployment.outcome === "rolled_out") {
    return (
      <p className="rounded-md border border-emerald-200 bg-emerald-50 p-3 text-sm text-emerald-900">
        Rolled out: {deployment.rollout ? readyWords(deployment.rollout) : "every replica ready"}.
      </p>
    );
  }
  if (deployment.pullFailure) return <PullFailureNotice failure={deployment.pullFailure} />;
  if (deployment.outcome === "rollout_timeout") {
    return (
      <div className="rounded-md border border-amber-200 bg-amber-50 p-3 text-sm text-amber-900">
        <p className="font-semibold">{deployment.message}</p>
        <p className="mt-1">The workload was written, but not every replica was ready in time. Pods may still be pulling or starting, or be crashing: the orchestrator&apos;s pod or task list says which.</p>
      </div>
    );
  }
  return (
    <p className="rounded-md border border-red-200 bg-red-50 p-3 text-sm text-red-900">
      Failed{deployment.failedStep ? ` at ${deployment.failedStep}` : ""}: {deployment.message}
    </p>
  );
}

/**
 * The latest deploy of the container: live while it runs (its steps are polled from a route
 * handler, since Next.js would queue a polling server action behind the running one), and what
 * became of it afterwards.
 */
export function DeploymentProgressPanel(props: { teamSlug: string; initial: DeploymentProgress }) {
  const router = useRouter();
  const [deployment, setDeployment] = useState(props.initial);
  const wasRunning = useRef(props.initial.status === "running");

  // A new deploy started from the page arrives as a new `initial` after the refresh.
  const [shownId, setShownId] = useState(props.initial.id);
  if (props.initial.id !== shownId) {
    setShownId(props.initial.id);
    setDeployment(props.initial);
  }

  const running = deployment.status === "running";
  // A deploy that appeared while the page was open (started here, or by someone else) is
  // announced when it ends, even if it ended before the first poll.
  const firstId = useRef(props.initial.id);
  useEffect(() => {
    if (deployment.id !== firstId.current) wasRunning.current = true;
  }, [deployment.id]);

  useEffect(() => {
    if (!running) return;
    wasRunning.current = true;
    const url = `/api/teams/${encodeURIComponent(props.teamSlug)}/deployments/${deployment.id}`;
    const timer = setInterval(async () => {
      const res = await fetch(url, { cache: "no-store" }).catch(() => undefined);
      if (res?.ok) setDeployment((await res.json()) as DeploymentProgress);
    }, POLL_MS);
    return () => clearInterval(timer);
  }, [running, deployment.id, props.teamSlug]);

  // Once a run this page watched has ended: say so, and reload the history and badges.
  useEffect(() => {
    if (running || !wasRunning.current) return;
    wasRunning.current = false;
    const text = deployment.message ?? `${capitalise(deployment.action)} ${deployment.status}`;
    if (deployment.status === "succeeded") toast.success(text);
    else toast.error(text);
    router.refresh();
  }, [running, deployment.message, deployment.action, deployment.status, router]);

  const current = deployment.steps.find((s) => s.status === "running");
  const progressText = running
    ? `${capitalise(deployment.action)} in progress${current ? `: ${current.name}${current.detail ? `, ${current.detail}` : ""}` : ""}`
    : capitalise(deployment.message ?? `${deployment.action} ${deployment.status}`);

  return (
    <Card data-testid="latest-deployment" aria-busy={running}>
      <CardHeader
        title={
          <span className="flex flex-wrap items-center gap-2">
            {running ? "Deploying" : "Latest deploy"} <OutcomeBadge status={deployment.status} outcome={deployment.outcome} />
          </span>
        }
        description={`${capitalise(deployment.action)} started ${formatDateTime(deployment.startedAt)}${deployment.finishedAt ? `, finished ${formatDateTime(deployment.finishedAt)}` : ""}`}
      />
      <div className="space-y-4 px-5 py-4">
        <p className="text-sm text-slate-700" aria-live="polite" role="status" data-testid="deploy-status">
          {progressText}
        </p>
        <StepList steps={deployment.steps} />
        <div aria-live="polite">
          <Ending deployment={deployment} />
        </div>
        {deployment.rollout && !running && (
          <p className="text-xs text-slate-600">
            State read from the orchestrator at {formatDateTime(deployment.rollout.at)}: {readyWords(deployment.rollout)}
            {deployment.rollout.observedCurrent ? "" : ", latest spec not yet observed"}.
          </p>
        )}
      </div>
    </Card>
  );
}
