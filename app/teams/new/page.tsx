import type { Metadata } from "next";
import Link from "next/link";
import { requireUser } from "@/lib/auth/session";
import { listTeamsOf } from "@/lib/teams/service";
import { Card } from "@/components/ui/card";
import { CreateTeamForm } from "@/components/teams/create-team-form";

export const metadata: Metadata = { title: "Create a team" };

/** Also where "/" sends someone who belongs to no team (they left or deleted every one). */
export default async function NewTeamPage() {
  const user = await requireUser();
  const [first] = await listTeamsOf(user.id);
  return (
    <main id="main" tabIndex={-1} className="mx-auto max-w-md space-y-4 px-4 py-16 focus:outline-none">
      {first && (
        <Link href={`/t/${first.slug}/settings/registries`} className="text-sm text-slate-600 underline hover:text-slate-900">
          ← Back to the dashboard
        </Link>
      )}
      <Card className="p-6">
        <h1 className="text-lg font-semibold">Create a team</h1>
        <p className="mb-4 mt-1 text-sm text-slate-600">
          {first ? "Teams share registries and environments. You will be its owner." : "You are not in any team yet. Start one to save registries and deploy; you will be its owner."}
        </p>
        <CreateTeamForm />
      </Card>
    </main>
  );
}
