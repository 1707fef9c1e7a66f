import type { Metadata } from "next";
import Link from "next/link";
import { requireTeam } from "@/lib/auth/session";
import { getEnvironment } from "@/lib/environments/service";
import { registryChoices } from "@/lib/registries/service";
import { orNotFound } from "@/lib/not-found";
import { Card } from "@/components/ui/card";
import { ContainerForm, type RegistryChoice } from "@/components/containers/container-form";

export const metadata: Metadata = { title: "Add container" };

export default async function NewContainerPage({ params }: { params: Promise<{ team: string; envId: string }> }) {
  const { team: slug, envId } = await params;
  const { team } = await requireTeam(slug);
  const env = await orNotFound(getEnvironment(team.id, envId));
  // Public registries need no credentials: "Public (no auth)" covers them.
  const registries: RegistryChoice[] = (await registryChoices(team.id)).filter((r) => !r.anonymous);
  return (
    <div className="max-w-2xl space-y-6">
      <header>
        <Link href={`/t/${team.slug}/environments/${env.id}`} className="text-sm text-slate-500 hover:underline">
          ← {env.name}
        </Link>
        <h1 className="mt-2 text-2xl font-semibold">Add container</h1>
        <p className="mt-1 text-sm text-slate-500">A workload in {env.name}, pulled from a registry image.</p>
      </header>
      <Card className="p-6">
        <ContainerForm teamSlug={team.slug} environmentId={env.id} registries={registries} />
      </Card>
    </div>
  );
}
