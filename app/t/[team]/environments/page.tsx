import type { Metadata } from "next";
import { Boxes } from "lucide-react";
import { requireTeam } from "@/lib/auth/session";
import { Card, EmptyState } from "@/components/ui/card";

export const metadata: Metadata = { title: "Environments" };

export default async function EnvironmentsPage({ params }: { params: Promise<{ team: string }> }) {
  const { team } = await requireTeam((await params).team);
  return (
    <div className="space-y-6">
      <header>
        <h1 className="text-2xl font-semibold">Environments</h1>
        <p className="mt-1 text-sm text-slate-500">Deploy targets of {team.name}: a Kubernetes namespace, a Swarm or a Compose node.</p>
      </header>
      <Card>
        <EmptyState icon={<Boxes className="h-8 w-8" />} title="No environments yet">
          Environments hold the containers you deploy from registry images.
        </EmptyState>
      </Card>
    </div>
  );
}
