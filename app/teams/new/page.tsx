import { requireUser } from "@/lib/auth/session";
import { Card } from "@/components/ui/card";
import { CreateTeamForm } from "@/components/teams/create-team-form";

export default async function NewTeamPage() {
  await requireUser();
  return (
    <main className="mx-auto max-w-md px-4 py-16">
      <Card className="p-6">
        <h1 className="text-lg font-semibold">Create a team</h1>
        <p className="mb-4 mt-1 text-sm text-slate-500">You are not a member of any team. Start one to save registries.</p>
        <CreateTeamForm />
      </Card>
    </main>
  );
}
