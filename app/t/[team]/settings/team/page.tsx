import type { Metadata } from "next";
import { requireTeam } from "@/lib/auth/session";
import { deleteBlocker, listMembers, listTeamAudit, teamHoldings } from "@/lib/teams/service";
import { listInvitations } from "@/lib/teams/invitations";
import { changeRoleRefusal, grantRefusal, manageMembersRefusal, ownerOnlyRefusal, removeMemberRefusal } from "@/lib/teams/permissions";
import { ROLES } from "@/lib/teams/schemas";
import { formatDateTime } from "@/lib/format";
import { Badge } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { CardHeader } from "@/components/ui/card-header";
import { DataTable } from "@/components/ui/data-table";
import { AddMemberForm } from "@/components/teams/add-member-form";
import { MemberRoleSelect, RemoveMemberButton, RevokeInvitationButton } from "@/components/teams/member-controls";
import { TeamNameForm } from "@/components/teams/team-name-form";
import { DeleteTeam } from "@/components/teams/delete-team";

export const metadata: Metadata = { title: "Team" };

const HISTORY_LABELS: Record<string, (d: Record<string, unknown>) => string> = {
  "team.created": (d) => `Created “${String(d.name)}”`,
  "team.renamed": (d) => `Renamed from “${String(d.from)}” to “${String(d.to)}”`,
  "team.member_added": (d) => `Added ${String(d.email)} as ${String(d.role)}`,
  "team.member_removed": (d) => `Removed ${String(d.email)} (${String(d.role)})`,
  "team.member_left": (d) => `${String(d.email)} left (${String(d.role)})`,
  "team.role_changed": (d) => `Changed ${String(d.email)} from ${String(d.from)} to ${String(d.to)}`,
  "team.invited": (d) => `Invited ${String(d.email)} as ${String(d.role)}${d.replacedEarlierLink ? " (a new link; the earlier one stopped working)" : ""}`,
  "team.invitation_revoked": (d) => `Revoked the invitation of ${String(d.email)}`,
  "team.invitation_accepted": (d) => `${String(d.email)} accepted the invitation as ${String(d.role)}`,
  "registry.deleted": (d) => `Deleted registry “${String(d.name)}”${d.onBehalfOf ? ` (added by ${String(d.onBehalfOf)}, who had left)` : ""}`,
};

export default async function TeamSettingsPage({ params }: { params: Promise<{ team: string }> }) {
  const { team: slug } = await params;
  const { user, team, role } = await requireTeam(slug);
  const canManage = manageMembersRefusal(role) === null;
  const [members, invitations, history, holdings] = await Promise.all([
    listMembers(team.id),
    canManage ? listInvitations(team.id) : [],
    listTeamAudit(team.id),
    teamHoldings(team.id),
  ]);
  const now = new Date();
  const grantable = ROLES.filter((r) => grantRefusal(role, r) === null);
  const mayRename = ownerOnlyRefusal(role, "rename the team") === null;
  // Said before anyone tries: the service keeps one owner whatever the rules allow.
  const lastOwner = members.filter((m) => m.role === "owner").length === 1;
  const keepsTheTeam = (m: { role: string }) => (lastOwner && m.role === "owner" ? "The last owner cannot leave or be removed. Make someone else owner first." : null);
  const deleteRefused = ownerOnlyRefusal(role, "delete the team") ?? deleteBlocker(holdings.environments);

  return (
    <div className="space-y-6">
      <header>
        <h1 className="text-2xl font-semibold">Team</h1>
        <p className="mt-1 text-sm text-slate-600">
          {team.name} · <span className="font-mono">{team.slug}</span> · your role: <span className="font-medium text-slate-800">{role}</span>
        </p>
      </header>

      {mayRename && (
        <Card>
          <CardHeader title="Name" description="Shown in the team switcher; owners rename the team." />
          <div className="p-5">
            <TeamNameForm teamSlug={team.slug} name={team.name} />
          </div>
        </Card>
      )}

      {canManage && (
        <Card>
          <CardHeader
            title="Add a member"
            description="Someone with an account joins at once; anyone else gets an invitation link to send them. Admins manage members; owners also manage owners."
          />
          <div className="p-5">
            <AddMemberForm teamSlug={team.slug} canGrantOwner={grantRefusal(role, "owner") === null} />
          </div>
        </Card>
      )}

      <Card>
        <CardHeader title="Members" description={`${members.length} ${members.length === 1 ? "person" : "people"}`} />
        <DataTable
          caption="Members"
          rows={members}
          rowKey={(m) => m.userId}
          rowTestId={(m) => `member-${m.email}`}
          columns={[
            {
              header: "Member",
              primary: true,
              cell: (m) => (
                <>
                  <span className="font-medium text-slate-900">
                    {m.name} {m.userId === user.id && <Badge>you</Badge>}
                  </span>
                  <span className="block break-all text-xs text-slate-600">{m.email}</span>
                </>
              ),
            },
            {
              header: "Role",
              cell: (m) =>
                changeRoleRefusal(role, m.role, m.role) === null ? (
                  <MemberRoleSelect teamSlug={team.slug} member={m} roles={grantable} />
                ) : (
                  <Badge tone={m.role === "owner" ? "blue" : "slate"}>{m.role}</Badge>
                ),
            },
            {
              header: "Actions",
              cell: (m) =>
                removeMemberRefusal({ id: user.id, role }, m) === null ? (
                  <RemoveMemberButton teamSlug={team.slug} teamName={team.name} member={m} isSelf={m.userId === user.id} refusal={keepsTheTeam(m)} />
                ) : null,
            },
          ]}
        />
      </Card>

      {canManage && (
        <Card>
          <CardHeader title="Pending invitations" description="Links sent to people without an account. Each works once, for its e-mail, until it expires." />
          {invitations.length === 0 ? (
            <p className="px-5 py-4 text-sm text-slate-600">None. Adding an e-mail without an account creates one.</p>
          ) : (
            <DataTable
              caption="Pending invitations"
              rows={invitations}
              rowKey={(i) => i.id}
              rowTestId={(i) => `invitation-${i.email}`}
              columns={[
                { header: "E-mail", primary: true, cell: (i) => <span className="break-all font-medium text-slate-900">{i.email}</span> },
                { header: "Role", cell: (i) => <Badge tone={i.role === "owner" ? "blue" : "slate"}>{i.role}</Badge> },
                { header: "Invited by", optional: true, cell: (i) => <span className="text-slate-600">{i.invitedBy ?? "former member"}</span> },
                {
                  header: "Expires",
                  cell: (i) => (i.expiresAt <= now ? <Badge tone="amber">expired</Badge> : <span className="text-xs text-slate-600">{formatDateTime(i.expiresAt)}</span>),
                },
                {
                  header: "Actions",
                  cell: (i) => (grantRefusal(role, i.role) === null ? <RevokeInvitationButton teamSlug={team.slug} invitation={i} /> : null),
                },
              ]}
            />
          )}
        </Card>
      )}

      <Card>
        <CardHeader title="History" description="Who changed the team, its people and invitations, and when." />
        {history.length === 0 ? (
          <p className="px-5 py-4 text-sm text-slate-600">Nothing yet.</p>
        ) : (
          <ol className="divide-y divide-slate-100" data-testid="team-history">
            {history.map((e) => (
              <li key={e.id} className="flex flex-wrap items-baseline gap-x-3 px-5 py-2.5 text-sm">
                <span className="text-slate-800">{HISTORY_LABELS[e.action]?.(e.details) ?? e.action}</span>
                <span className="ml-auto text-xs text-slate-600">
                  {e.actorName ?? "former member"} · {formatDateTime(e.at)}
                </span>
              </li>
            ))}
          </ol>
        )}
      </Card>

      <Card>
        <CardHeader title="Delete team" description="Owners only. Environments must be deleted first; registries, memberships and invitations go with the team." />
        <div className="p-5">
          <DeleteTeam team={{ slug: team.slug, name: team.name }} holdings={holdings} refusal={deleteRefused} />
        </div>
      </Card>
    </div>
  );
}
