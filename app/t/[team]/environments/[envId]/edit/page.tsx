import type { Metadata } from "next";
import Link from "next/link";
import { requireTeam } from "@/lib/auth/session";
import { getEnvironment } from "@/lib/environments/service";
import { manageEnvironmentsRefusal } from "@/lib/environments/permissions";
import { orNotFound } from "@/lib/not-found";
import { Card } from "@/components/ui/card";
import { EnvironmentForm } from "@/components/environments/environment-form";

export const metadata: Metadata = { title: "Edit environment" };

export default async function EditEnvironmentPage({ params }: { params: Promise<{ team: string; envId: string }> }) {
  const { team: slug, envId } = await params;
  const { team, role } = await requireTeam(slug);
  const env = await orNotFound(getEnvironment(team.id, envId));
  const refusal = manageEnvironmentsRefusal(role, "change environments");
  return (
    <div className="max-w-3xl space-y-6">
      <header>
        <Link href={`/t/${team.slug}/environments/${env.id}`} className="text-sm text-slate-500 hover:underline">
          ← {env.name}
        </Link>
        <h1 className="mt-2 text-2xl font-semibold">Edit {env.name}</h1>
        <p className="mt-1 text-sm text-slate-500">Rotate the kubeconfig or the key, or move to another host. Saved secrets are never shown: leave a field empty to keep it.</p>
      </header>
      <Card className="p-6">
        {refusal ? (
          <p className="text-sm text-slate-600">{refusal}.</p>
        ) : (
          <EnvironmentForm
            teamSlug={team.slug}
            edit={{ environmentId: env.id, name: env.name, slug: env.slug, orchestrator: env.orchestrator, connection: env.connection, secretFields: env.secretFields }}
          />
        )}
      </Card>
    </div>
  );
}
