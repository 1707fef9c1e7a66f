import type { Metadata } from "next";
import Link from "next/link";
import { requireTeam } from "@/lib/auth/session";
import { isAnonymous, registryTypeViews } from "@/lib/registries/catalog";
import { getRegistry } from "@/lib/registries/service";
import { updateRefusal } from "@/lib/registries/permissions";
import { countImagesInUse } from "@/lib/registries/rollout";
import { verdictOf } from "@/lib/registries/test-verdict";
import { orNotFound } from "@/lib/not-found";
import { Card } from "@/components/ui/card";
import { RegistryForm } from "@/components/registries/registry-form";

export const metadata: Metadata = { title: "Edit registry" };

export default async function EditRegistryPage({ params }: { params: Promise<{ team: string; id: string }> }) {
  const { team: slug, id } = await params;
  const { user, team, role } = await requireTeam(slug);
  const registry = await orNotFound(getRegistry(team.id, id));
  const back = `/t/${team.slug}/settings/registries/${registry.id}`;
  const refusal = updateRefusal({ createdBy: registry.createdBy?.id ?? null }, user, role);
  return (
    <div className="max-w-2xl space-y-6">
      <header>
        <Link href={back} className="text-sm text-slate-500 hover:underline">
          ← {registry.name}
        </Link>
        <h1 className="mt-2 text-2xl font-semibold">Edit or rotate credentials</h1>
        <p className="mt-1 text-sm text-slate-500">
          Leave a secret empty to keep it. A new value is used from the next pull on (deploy, scale, restart); nothing is redeployed.
        </p>
      </header>
      {refusal ? (
        <Card className="p-6 text-sm text-slate-700">{refusal}.</Card>
      ) : (
        <RegistryForm
          teamSlug={team.slug}
          types={registryTypeViews()}
          edit={{
            registryId: registry.id,
            name: registry.name,
            type: registry.type,
            // Only non-secret values and the names of the secrets that are set reach the browser.
            visibleFields: registry.visibleFields,
            secretFields: registry.secretFields,
            lastFailure:
              registry.lastTest && !registry.lastTest.ok
                ? { at: registry.lastTestAt?.toISOString() ?? "", message: verdictOf(registry.lastTest).message }
                : null,
            imagesInUse: isAnonymous(registry.type) ? 0 : await countImagesInUse(team.id, registry.id),
          }}
        />
      )}
    </div>
  );
}
