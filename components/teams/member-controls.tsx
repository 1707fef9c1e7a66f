"use client";
import { useTransition } from "react";
import { useRouter } from "next/navigation";
import { toast } from "@/components/ui/toast";
import { UserMinus } from "lucide-react";
import { changeRoleAction, removeMemberAction, revokeInvitationAction } from "@/app/_actions/teams";
import { Select } from "@/components/ui/select";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import type { TeamRole } from "@/db/schema";

type Member = { userId: string; email: string; role: TeamRole };

/** The member's role, changeable by whoever may (the team page asks lib/teams/permissions). */
export function MemberRoleSelect({ teamSlug, member, roles }: { teamSlug: string; member: Member; roles: TeamRole[] }) {
  const [pending, startTransition] = useTransition();
  const changeRole = (role: string) =>
    startTransition(async () => {
      const result = await changeRoleAction({ teamSlug, userId: member.userId, role });
      if (result.ok) toast.success(`${member.email} is now ${role}`);
      else toast.error(result.fieldErrors?.role?.[0] ?? result.error);
    });
  return (
    <Select
      aria-label={`Role of ${member.email}`}
      value={member.role}
      onValueChange={changeRole}
      options={roles.map((r) => ({ value: r, label: r }))}
      disabled={pending}
      className="w-32"
    />
  );
}

export function RemoveMemberButton(props: { teamSlug: string; teamName: string; member: Member; isSelf: boolean; refusal: string | null }) {
  const { teamSlug, teamName, member, isSelf } = props;
  const router = useRouter();
  return (
    <ConfirmDialog
      size="sm"
      trigger={
        <>
          <UserMinus className="h-4 w-4" aria-hidden /> {isSelf ? "Leave" : "Remove"}
        </>
      }
      triggerLabel={isSelf ? "Leave team" : `Remove ${member.email}`}
      refusal={props.refusal}
      title={isSelf ? `Leave ${teamName}?` : `Remove ${member.email}?`}
      description={
        isSelf
          ? "You lose access to its registries and environments at once. A team owner or admin can add you again."
          : `They lose access to ${teamName}'s registries and environments at once. Registries they added stay; once they are gone, a team owner can delete those.`
      }
      confirmLabel={isSelf ? "Leave team" : "Remove member"}
      onConfirm={async () => {
        const result = await removeMemberAction({ teamSlug, userId: member.userId });
        if (!result.ok) return result.error;
        toast.success(isSelf ? `You left ${teamName}` : `${member.email} removed`);
        if (isSelf) router.push("/");
      }}
    />
  );
}

export function RevokeInvitationButton({ teamSlug, invitation }: { teamSlug: string; invitation: { id: string; email: string } }) {
  return (
    <ConfirmDialog
      size="sm"
      trigger="Revoke"
      triggerLabel={`Revoke the invitation of ${invitation.email}`}
      title={`Revoke the invitation of ${invitation.email}?`}
      description="The link stops working at once. You can invite them again later; they get a new link."
      confirmLabel="Revoke invitation"
      onConfirm={async () => {
        const result = await revokeInvitationAction({ teamSlug, invitationId: invitation.id });
        if (!result.ok) return result.error;
        toast.success(`Invitation of ${invitation.email} revoked`);
      }}
    />
  );
}
