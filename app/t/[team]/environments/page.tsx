import type { Metadata } from "next";
import Link from "next/link";
import { Boxes, Plus } from "lucide-react";
import { requireTeam } from "@/lib/auth/session";
import { listEnvironments } from "@/lib/environments/service";
import { ORCHESTRATORS } from "@/lib/environments/schemas";
import { manageEnvironmentsRefusal } from "@/lib/environments/permissions";
import { formatDateTime } from "@/lib/format";
import { Badge } from "@/components/ui/badge";
import { Card, EmptyState } from "@/components/ui/card";
import { DataTable } from "@/components/ui/data-table";

export const metadata: Metadata = { title: "Environments" };

const buttonClass = "inline-flex h-10 items-center gap-2 rounded-md bg-slate-900 px-4 text-sm font-medium text-white hover:bg-slate-700";
const orchestratorLabel = (o: string) => ORCHESTRATORS.find((x) => x.value === o)?.label ?? o;

export default async function EnvironmentsPage({ params }: { params: Promise<{ team: string }> }) {
  const { team, role } = await requireTeam((await params).team);
  const items = await listEnvironments(team.id);
  const base = `/t/${team.slug}/environments`;
  const mayAdd = manageEnvironmentsRefusal(role, "add environments") === null;
  const add = mayAdd ? (
    <Link href={`${base}/new`} className={buttonClass}>
      <Plus className="h-4 w-4" aria-hidden /> Add environment
    </Link>
  ) : undefined;
  return (
    <div className="space-y-6">
      <header className="flex flex-wrap items-end justify-between gap-4">
        <div>
          <h1 className="text-2xl font-semibold">Environments</h1>
          <p className="mt-1 text-sm text-slate-500">Deploy targets of {team.name}: a Kubernetes namespace, a Swarm or a Compose node.</p>
        </div>
        {add}
      </header>
      <Card>
        {items.length === 0 ? (
          <EmptyState level={2} icon={<Boxes className="h-8 w-8" />} title="No environments yet" action={add}>
            {mayAdd ? "Add one to deploy containers from your registries." : "A team owner or admin adds environments; you can then deploy containers to them."}
          </EmptyState>
        ) : (
          <DataTable
            caption="Environments"
            rows={items}
            rowKey={(e) => e.id}
            columns={[
              {
                header: "Name",
                primary: true,
                cell: (e) => (
                  <Link href={`${base}/${e.id}`} className="font-medium text-slate-900 hover:underline">
                    {e.name}
                  </Link>
                ),
              },
              { header: "Orchestrator", cell: (e) => <Badge tone="blue">{orchestratorLabel(e.orchestrator)}</Badge> },
              { header: "Target", cell: (e) => <span className="break-all font-mono text-xs text-slate-600">{e.orchestrator === "kubernetes" ? e.namespace : e.connection.dockerHost}</span> },
              { header: "Containers", numeric: true, cell: (e) => e.containerCount },
              { header: "Created", optional: true, cell: (e) => <span className="text-slate-600">{formatDateTime(e.createdAt)}</span> },
            ]}
          />
        )}
      </Card>
    </div>
  );
}
