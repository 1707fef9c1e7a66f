import type { Metadata } from "next";
import { KeyRound } from "lucide-react";
import { requireTeam } from "@/lib/auth/session";
import { Card, EmptyState } from "@/components/ui/card";

export const metadata: Metadata = { title: "Container Registries" };

export default async function RegistriesPage({ params }: { params: Promise<{ team: string }> }) {
  const { team } = await requireTeam((await params).team);
  return (
    <div className="space-y-6">
      <header>
        <h1 className="text-2xl font-semibold">Container Registries</h1>
        <p className="mt-1 text-sm text-slate-500">Credentials {team.name} pulls private images with.</p>
      </header>
      <Card>
        <EmptyState icon={<KeyRound className="h-8 w-8" />} title="No registries yet">
          Save a registry&apos;s credentials once; every deployment from its images gets them.
        </EmptyState>
      </Card>
    </div>
  );
}
