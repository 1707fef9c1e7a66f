"use client";
import { useTransition } from "react";
import { useRouter } from "next/navigation";
import { toast } from "sonner";
import { changeRoleAction, removeMemberAction } from "@/app/_actions/teams";
import { Button } from "@/components/ui/button";
import { Select } from "@/components/ui/select";
import { Badge } from "@/components/ui/card";
import type { TeamRole } from "@/db/schema";

type Member = { userId: string; name: string; email: string; role: TeamRole };

export function MemberRow({ teamSlug, member, isSelf, actorRole }: { teamSlug: string; member: Member; isSelf: boolean; actorRole: TeamRole }) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const canManage = actorRole === "owner" || (actorRole === "admin" && member.role !== "owner");
  const roles = (actorRole === "owner" ? ["member", "admin", "owner"] : ["member", "admin"]).map((r) => ({ value: r, label: r }));

  const changeRole = (role: string) =>
    startTransition(async () => {
      const result = await changeRoleAction({ teamSlug, userId: member.userId, role });
      if (result.ok) toast.success(`${member.email} is now ${role}`);
      else toast.error(result.fieldErrors?.role?.[0] ?? result.error);
    });

  const remove = () =>
    startTransition(async () => {
      const result = await removeMemberAction({ teamSlug, userId: member.userId });
      if (!result.ok) {
        toast.error(result.error);
        return;
      }
      toast.success(isSelf ? "You left the team" : `${member.email} removed`);
      if (isSelf) router.push("/");
    });

  return (
    <tr className="border-b border-slate-50 last:border-0" data-testid={`member-${member.email}`}>
      <td className="px-5 py-3">
        <div className="font-medium text-slate-900">
          {member.name} {isSelf && <Badge>you</Badge>}
        </div>
        <div className="text-xs text-slate-500">{member.email}</div>
      </td>
      <td className="w-44 px-5 py-3">
        {canManage ? (
          <Select aria-label={`Role of ${member.email}`} value={member.role} onValueChange={changeRole} options={roles} disabled={pending} />
        ) : (
          <Badge tone={member.role === "owner" ? "blue" : "slate"}>{member.role}</Badge>
        )}
      </td>
      <td className="px-5 py-3 text-right">
        {(canManage || isSelf) && (
          <Button variant="ghost" size="sm" onClick={remove} pending={pending} aria-label={isSelf ? "Leave team" : `Remove ${member.email}`}>
            {isSelf ? "Leave" : "Remove"}
          </Button>
        )}
      </td>
    </tr>
  );
}
