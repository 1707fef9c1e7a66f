import type { Metadata } from "next";
import Link from "next/link";
import { requireTeam } from "@/lib/auth/session";
import { Card } from "@/components/ui/card";
import { EnvironmentForm } from "@/components/environments/environment-form";

export const metadata: Metadata = { title: "Add environment" };

export default async function NewEnvironmentPage({ params }: { params: Promise<{ team: string }> }) {
  const { team } = await requireTeam((await params).team);
  return (
    <div className="max-w-3xl space-y-6">
      <header>
        <Link href={`/t/${team.slug}/environments`} className="text-sm text-slate-500 hover:underline">
          ← Environments
        </Link>
        <h1 className="mt-2 text-2xl font-semibold">Add environment</h1>
        <p className="mt-1 text-sm text-slate-500">Where containers run. Connection secrets are stored encrypted and never shown again.</p>
      </header>
      <Card className="p-6">
        <EnvironmentForm teamSlug={team.slug} />
      </Card>
    </div>
  );
}
