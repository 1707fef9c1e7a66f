import type { Metadata } from "next";
import Link from "next/link";
import { History } from "lucide-react";
import { requireTeam } from "@/lib/auth/session";
import { getContainer, previewContainer } from "@/lib/containers/service";
import { deploymentProgress } from "@/lib/containers/deployments";
import { SafeError } from "@/lib/errors";
import { orNotFound } from "@/lib/not-found";
import { deleteContainerRefusal } from "@/lib/containers/permissions";
import { CodeBlock } from "@/components/ui/code-block";
import { formatDateTime } from "@/lib/format";
import { Badge } from "@/components/ui/badge";
import { Card, EmptyState } from "@/components/ui/card";
import { CardHeader } from "@/components/ui/card-header";
import { ContainerActions } from "@/components/containers/container-actions";
import { DeploymentProgressPanel, OutcomeBadge, PullFailureNotice, StepList } from "@/components/containers/deployment-progress";

export const metadata: Metadata = { title: "Container" };

export default async function ContainerPage({ params }: { params: Promise<{ team: string; ctrId: string }> }) {
  const { team: slug, ctrId } = await params;
  const { user, team, role } = await requireTeam(slug);
  let container = await orNotFound(getContainer(team.id, ctrId));
  // The preview never calls the cluster or AWS and masks every secret.
  const preview = await previewContainer(team, container.id).catch((err) => {
    if (err instanceof SafeError || err instanceof Error) return err.message;
    throw err;
  });
  const envHref = `/t/${team.slug}/environments/${container.environment.id}`;
  // The latest deploy, live while it runs; reading it also reaps a run whose server died.
  const latest = container.deployments[0] ? await deploymentProgress(team.id, container.deployments[0].id) : undefined;
  // A deploy that ended between the two reads would show as running in the history below for good:
  // the panel refreshes the page only when it sees a run end, and it starts with this newer state.
  if (latest && latest.status !== container.deployments[0]?.status) container = await orNotFound(getContainer(team.id, ctrId));
  return (
    <div className="space-y-6">
      <header className="flex flex-wrap items-end justify-between gap-4">
        <div>
          <Link href={envHref} className="text-sm text-slate-500 hover:underline">
            ← {container.environment.name}
          </Link>
          <h1 className="mt-2 flex flex-wrap items-center gap-3 text-2xl font-semibold">
            {container.name}
            {container.credentialsRotatedSinceDeploy && (
              <span data-testid="rotated-badge">
                <Badge tone="amber">Credentials rotated since last deploy</Badge>
              </span>
            )}
          </h1>
          <p className="mt-1 text-sm text-slate-500">
            <span className="font-mono">{container.image}</span> ·{" "}
            {container.registry ? (
              <Link href={`/t/${team.slug}/settings/registries/${container.registry.id}`} className="hover:underline">
                {container.registry.name} ({container.registry.typeLabel}, credentials v{container.registry.credentialVersion})
              </Link>
            ) : (
              "Public (no auth)"
            )}{" "}
            · {container.replicas} replica{container.replicas === 1 ? "" : "s"}
            {container.port ? ` · port ${container.port}` : ""}
          </p>
        </div>
        <ContainerActions
          teamSlug={team.slug}
          containerId={container.id}
          environmentHref={envHref}
          replicas={container.replicas}
          deleteRefusal={deleteContainerRefusal(container, user, role)}
          deploying={latest?.status === "running"}
        />
      </header>

      {latest && <DeploymentProgressPanel teamSlug={team.slug} initial={latest} />}

      <Card>
        <CardHeader title="Preview" description="Exactly what the next deploy applies. Secret values are redacted." />
        <div className="space-y-4 px-5 py-4" data-testid="preview">
          {typeof preview === "string" ? (
            <p className="text-sm text-red-700">{preview}</p>
          ) : (
            preview.map((part) => (
              <section key={part.title}>
                <h3 className="mb-1.5 text-xs font-semibold uppercase tracking-wide text-slate-500">{part.title}</h3>
                <CodeBlock label={`Preview: ${part.title}`} className="max-h-80 bg-slate-900 leading-5 text-slate-100">
                  {part.body}
                </CodeBlock>
              </section>
            ))
          )}
        </div>
      </Card>

      <Card>
        <CardHeader title="Deployments" description="Each deploy, scale and restart, with the credential version it pulled with." />
        {container.deployments.length === 0 ? (
          <EmptyState icon={<History className="h-8 w-8" />} title="Not deployed yet">
            Deploy writes the pull secret and the workload shown in the preview.
          </EmptyState>
        ) : (
          <ul className="divide-y divide-slate-100" data-testid="deployments">
            {container.deployments.map((d) => (
              <li key={d.id} className="px-5 py-3 text-sm">
                <details>
                  <summary className="flex cursor-pointer flex-wrap items-center gap-x-3 gap-y-1">
                    <OutcomeBadge status={d.status} outcome={d.outcome} />
                    <span className="font-medium capitalize">{d.action}</span>
                    {d.pullFailure && <span className="text-red-800">{d.pullFailure.label}</span>}
                    <span className="font-mono text-xs text-slate-600">{d.image}</span>
                    <span className="text-slate-500">
                      {d.registryName ? `${d.registryName}${d.credentialVersion ? ` v${d.credentialVersion}` : ""}` : "public"} · {d.replicas} replica{d.replicas === 1 ? "" : "s"}
                    </span>
                    <span className="ml-auto text-xs text-slate-500">
                      {d.actor ?? "someone"} · {formatDateTime(d.startedAt)}
                    </span>
                  </summary>
                  <div className="mt-3 space-y-3">
                    {d.steps.length > 0 && <StepList steps={d.steps} />}
                    {d.pullFailure ? (
                      <PullFailureNotice failure={d.pullFailure} />
                    ) : (
                      d.message && d.status === "failed" && <p className="text-sm text-red-800">{d.message}</p>
                    )}
                    <CodeBlock label={`Log of the ${d.action} at ${formatDateTime(d.startedAt)}`} className="max-h-64 bg-slate-50 text-slate-700">
                      {d.log || "(no log)"}
                    </CodeBlock>
                  </div>
                </details>
              </li>
            ))}
          </ul>
        )}
      </Card>
    </div>
  );
}
