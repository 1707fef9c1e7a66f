import type { Metadata } from "next";
import Link from "next/link";
import { Boxes, Plus } from "lucide-react";
import { requireTeam } from "@/lib/auth/session";
import { listEnvironments } from "@/lib/environments/service";
import { ORCHESTRATORS } from "@/lib/environments/schemas";
import { formatDateTime } from "@/lib/format";
import { Badge, Card, EmptyState } from "@/components/ui/card";

export const metadata: Metadata = { title: "Environments" };

const buttonClass = "inline-flex h-10 items-center gap-2 rounded-md bg-slate-900 px-4 text-sm font-medium text-white hover:bg-slate-700";
const orchestratorLabel = (o: string) => ORCHESTRATORS.find((x) => x.value === o)?.label ?? o;

export default async function EnvironmentsPage({ params }: { params: Promise<{ team: string }> }) {
  const { team, role } = await requireTeam((await params).team);
  const items = await listEnvironments(team.id);
  const base = `/t/${team.slug}/environments`;
  const mayAdd = role !== "member";
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
          <EmptyState icon={<Boxes className="h-8 w-8" />} title="No environments yet" action={add}>
            {mayAdd ? "Add one to deploy containers from your registries." : "A team owner or admin adds environments; you can then deploy containers to them."}
          </EmptyState>
        ) : (
          <div className="overflow-x-auto">
<table className="w-full text-sm">
            <thead className="border-b border-slate-100 text-left text-xs uppercase tracking-wide text-slate-500">
              <tr>
                <th className="px-5 py-3 font-medium">Name</th>
                <th className="px-5 py-3 font-medium">Orchestrator</th>
                <th className="px-5 py-3 font-medium">Target</th>
                <th className="px-5 py-3 font-medium">Containers</th>
                <th className="hidden px-5 py-3 font-medium md:table-cell">Created</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {items.map((e) => (
                <tr key={e.id} className="hover:bg-slate-50">
                  <td className="px-5 py-3">
                    <Link href={`${base}/${e.id}`} className="font-medium text-slate-900 hover:underline">
                      {e.name}
                    </Link>
                  </td>
                  <td className="px-5 py-3">
                    <Badge tone="blue">{orchestratorLabel(e.orchestrator)}</Badge>
                  </td>
                  <td className="px-5 py-3 font-mono text-xs text-slate-600">{e.orchestrator === "kubernetes" ? e.namespace : e.connection.dockerHost}</td>
                  <td className="px-5 py-3">{e.containerCount}</td>
                  <td className="hidden px-5 py-3 text-slate-500 md:table-cell">{formatDateTime(e.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
</div>
        )}
      </Card>
    </div>
  );
}
