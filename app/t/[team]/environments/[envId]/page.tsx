import type { Metadata } from "next";
import Link from "next/link";
import { Container, Pencil, Plus } from "lucide-react";
import { requireTeam } from "@/lib/auth/session";
import { getEnvironment } from "@/lib/environments/service";
import { manageEnvironmentsRefusal } from "@/lib/environments/permissions";
import { ORCHESTRATORS } from "@/lib/environments/schemas";
import { listContainers } from "@/lib/containers/service";
import { orNotFound } from "@/lib/not-found";
import { Badge } from "@/components/ui/badge";
import { Card, EmptyState } from "@/components/ui/card";
import { CardHeader } from "@/components/ui/card-header";
import { DataTable } from "@/components/ui/data-table";
import { EnvironmentActions } from "@/components/environments/environment-actions";

export const metadata: Metadata = { title: "Environment" };

const buttonClass = "inline-flex h-9 items-center gap-2 rounded-md bg-slate-900 px-3 text-sm font-medium text-white hover:bg-slate-700";
const secondaryButtonClass = "inline-flex h-10 items-center gap-2 rounded-md border border-slate-300 bg-white px-4 text-sm font-medium text-slate-900 hover:bg-slate-50";

/** What the service refuses while containers remain, said before anyone tries. */
const containersFirst = (n: number) => (n === 0 ? null : `Delete its ${n} container${n === 1 ? "" : "s"} first: that removes their workloads.`);

export default async function EnvironmentPage({ params }: { params: Promise<{ team: string; envId: string }> }) {
  const { team: slug, envId } = await params;
  const { team, role } = await requireTeam(slug);
  const env = await orNotFound(getEnvironment(team.id, envId));
  const items = await listContainers(team.id, env.id);
  const base = `/t/${team.slug}/environments`;
  const mayManage = manageEnvironmentsRefusal(role, "change environments") === null;
  const add = (
    <Link href={`${base}/${env.id}/containers/new`} className={buttonClass}>
      <Plus className="h-4 w-4" aria-hidden /> Add container
    </Link>
  );
  const details: [string, string][] =
    env.orchestrator === "kubernetes"
      ? [
          ["Namespace", env.namespace],
          ["Connects with", env.connection.mode === "in-cluster" ? "in-cluster service account" : "kubeconfig"],
          ...(env.connection.server ? ([["API server", env.connection.server]] as [string, string][]) : []),
          ...(env.connection.context ? ([["Context", env.connection.context]] as [string, string][]) : []),
        ]
      : [["Docker host", env.connection.dockerHost ?? ""]];
  return (
    <div className="space-y-6">
      <header className="flex flex-wrap items-start justify-between gap-4">
        <div>
          <Link href={base} className="text-sm text-slate-500 hover:underline">
            ← Environments
          </Link>
          <h1 className="mt-2 flex items-center gap-3 text-2xl font-semibold">
            {env.name} <Badge tone="blue">{ORCHESTRATORS.find((o) => o.value === env.orchestrator)?.label}</Badge>
          </h1>
        </div>
        <div className="flex flex-wrap items-start gap-2">
          {mayManage && (
            <Link href={`${base}/${env.id}/edit`} className={secondaryButtonClass}>
              <Pencil className="h-4 w-4" aria-hidden /> Edit
            </Link>
          )}
          <EnvironmentActions
            teamSlug={team.slug}
            environment={{ id: env.id, name: env.name }}
            deleteRefusal={manageEnvironmentsRefusal(role, "delete environments") ?? containersFirst(items.length)}
          />
        </div>
      </header>
      <Card>
        <CardHeader title="Connection" description="Secrets (kubeconfig, keys) are stored encrypted and not shown." />
        <dl className="grid gap-x-6 gap-y-3 px-5 py-4 text-sm sm:grid-cols-[10rem_1fr]">
          {details.map(([k, v]) => (
            <div key={k} className="contents">
              <dt className="text-slate-500">{k}</dt>
              <dd className="font-mono text-xs leading-5 text-slate-900">{v}</dd>
            </div>
          ))}
        </dl>
      </Card>
      <Card>
        <CardHeader title="Containers" description="Workloads deployed from registry images." actions={items.length ? add : undefined} />
        {items.length === 0 ? (
          <EmptyState icon={<Container className="h-8 w-8" />} title="No containers yet" action={add}>
            Add a container from a registry image, preview what will be applied, then deploy it.
          </EmptyState>
        ) : (
          <DataTable
            caption={`Containers in ${env.name}`}
            rows={items}
            rowKey={(c) => c.id}
            columns={[
              {
                header: "Name",
                primary: true,
                cell: (c) => (
                  <Link href={`/t/${team.slug}/containers/${c.id}`} className="font-medium text-slate-900 hover:underline">
                    {c.name}
                  </Link>
                ),
              },
              { header: "Image", cell: (c) => <span className="break-all font-mono text-xs">{`${c.imageName}:${c.imageTag}`}</span> },
              { header: "Registry", cell: (c) => c.registryName ?? "Public (no auth)" },
              { header: "Replicas", numeric: true, cell: (c) => c.replicas },
            ]}
          />
        )}
      </Card>
    </div>
  );
}
