import type { Metadata } from "next";
import { requireTeam } from "@/lib/auth/session";
import { listMembers } from "@/lib/teams/service";
import { Card, CardHeader } from "@/components/ui/card";
import { AddMemberForm } from "@/components/teams/add-member-form";
import { MemberRow } from "@/components/teams/member-row";

export const metadata: Metadata = { title: "Team" };

export default async function TeamSettingsPage({ params }: { params: Promise<{ team: string }> }) {
  const { team: slug } = await params;
  const { user, team, role } = await requireTeam(slug);
  const members = await listMembers(team.id);
  const canManage = role === "owner" || role === "admin";
  return (
    <div className="space-y-6">
      <header>
        <h1 className="text-2xl font-semibold">Team</h1>
        <p className="mt-1 text-sm text-slate-500">
          {team.name} · your role: <span className="font-medium text-slate-700">{role}</span>
        </p>
      </header>
      {canManage && (
        <Card>
          <CardHeader title="Add a member" description="They need an account already. Admins manage members; owners also manage owners." />
          <div className="p-5">
            <AddMemberForm teamSlug={team.slug} canGrantOwner={role === "owner"} />
          </div>
        </Card>
      )}
      <Card>
        <CardHeader title="Members" description={`${members.length} ${members.length === 1 ? "person" : "people"}`} />
        <div className="overflow-x-auto">
<table className="w-full text-sm">
          <thead className="border-b border-slate-100 text-left text-xs uppercase tracking-wide text-slate-500">
            <tr>
              <th className="px-5 py-2 font-medium">Member</th>
              <th className="px-5 py-2 font-medium">Role</th>
              <th className="px-5 py-2 font-medium">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {members.map((m) => (
              <MemberRow
                key={m.userId}
                teamSlug={team.slug}
                member={{ userId: m.userId, name: m.name, email: m.email, role: m.role }}
                isSelf={m.userId === user.id}
                actorRole={role}
              />
            ))}
          </tbody>
        </table>
</div>
      </Card>
    </div>
  );
}
