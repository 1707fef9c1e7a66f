"use client";
import { useRouter } from "next/navigation";
import { toast } from "@/components/ui/toast";
import { Trash2 } from "lucide-react";
import { deleteTeamAction } from "@/app/_actions/teams";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import type { TeamHoldings } from "@/lib/teams/service";

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** Deleting a team: typed confirmation, and exactly what goes with it. */
export function DeleteTeam({ team, holdings, refusal }: { team: { slug: string; name: string }; holdings: TeamHoldings; refusal: string | null }) {
  const router = useRouter();
  return (
    <ConfirmDialog
      trigger={
        <>
          <Trash2 className="h-4 w-4" aria-hidden /> Delete team
        </>
      }
      refusal={refusal}
      title={`Delete ${team.name}?`}
      description={
        <>
          <p>This cannot be undone. With the team go:</p>
          <ul className="list-disc space-y-1 pl-5">
            <li>{plural(holdings.registries, "registry and its saved credentials", "registries and their saved credentials")}</li>
            <li>{plural(holdings.members, "membership", "memberships")}: everyone loses access (their accounts and other teams stay)</li>
            <li>{plural(holdings.pendingInvitations, "pending invitation", "pending invitations")}: the links stop working</li>
            <li>the team&apos;s history</li>
          </ul>
        </>
      }
      typeToConfirm={team.slug}
      confirmLabel="Delete team"
      onConfirm={async () => {
        const result = await deleteTeamAction({ teamSlug: team.slug });
        if (!result.ok) return result.error;
        toast.success(`Team “${team.name}” deleted`);
        router.push("/");
      }}
    />
  );
}
