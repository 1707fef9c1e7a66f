import type { Metadata } from "next";
import Link from "next/link";
import { requireTeam } from "@/lib/auth/session";
import { registryTypeViews } from "@/lib/registries/catalog";
import { RegistryForm } from "@/components/registries/registry-form";

export const metadata: Metadata = { title: "Add registry" };

export default async function NewRegistryPage({ params }: { params: Promise<{ team: string }> }) {
  const { team } = await requireTeam((await params).team);
  return (
    <div className="max-w-2xl space-y-6">
      <header>
        <Link href={`/t/${team.slug}/settings/registries`} className="text-sm text-slate-500 hover:underline">
          ← Container Registries
        </Link>
        <h1 className="mt-2 text-2xl font-semibold">Add registry</h1>
        <p className="mt-1 text-sm text-slate-500">Choose the registry type; the form asks for exactly what it needs.</p>
      </header>
      <RegistryForm teamSlug={team.slug} types={registryTypeViews()} />
    </div>
  );
}
