import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { currentUser } from "@/lib/auth/session";
import { invitationTokenField } from "@/lib/auth/schemas";
import { invitationByToken, type InvitationState } from "@/lib/teams/invitations";
import { Card } from "@/components/ui/card";
import { AcceptInvitation } from "@/components/teams/accept-invitation";
import { SignOutButton } from "@/components/auth/sign-out-button";

export const metadata: Metadata = { title: "Invitation" };

const primaryLink = "inline-flex h-10 w-full items-center justify-center rounded-md bg-slate-900 px-4 text-sm font-medium text-white hover:bg-slate-700";
const secondaryLink = "inline-flex h-10 w-full items-center justify-center rounded-md border border-slate-300 bg-white px-4 text-sm font-medium text-slate-900 hover:bg-slate-50";

const UNUSABLE: Record<Exclude<InvitationState, "pending">, string> = {
  expired: "This invitation has expired. Ask the team's owner or an admin for a new link.",
  revoked: "This invitation was revoked, or replaced by a newer link. Ask the team's owner or an admin for a new one.",
  accepted: "This invitation has already been used.",
};

/** Where an invitation link leads, signed in or not: it says what the link is for and what to do. */
export default async function InvitationPage({ params }: { params: Promise<{ token: string }> }) {
  const parsed = invitationTokenField.safeParse((await params).token);
  const [invitation, user] = await Promise.all([parsed.success ? invitationByToken(parsed.data) : null, currentUser()]);
  // Accepted at sign-in or sign-up, which lands here: on into the team.
  if (invitation?.state === "accepted" && user && invitation.acceptedBy === user.id) redirect(`/t/${invitation.team.slug}/settings/registries`);

  if (!invitation || !parsed.success) {
    return (
      <Card className="space-y-3 p-6">
        <h1 className="text-xl font-semibold">This invitation link is not valid</h1>
        <p className="text-sm text-slate-600">Check that it was copied whole, or ask the person who invited you for a new one.</p>
        <Link href="/" className={secondaryLink}>
          Go to the dashboard
        </Link>
      </Card>
    );
  }
  const token = parsed.data;
  const { team, role, email } = invitation;
  return (
    <Card className="space-y-4 p-6">
      <h1 className="text-xl font-semibold">Join {team.name}</h1>
      <p className="text-sm text-slate-600">
        {invitation.invitedBy ?? "A team admin"} invited <span className="font-medium text-slate-900">{email}</span> to join {team.name} as {role}.
      </p>
      {invitation.state !== "pending" ? (
        <p role="alert" className="rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900">
          {UNUSABLE[invitation.state]}
        </p>
      ) : !user ? (
        <div className="space-y-2">
          <Link href={`/sign-up?invite=${token}`} className={primaryLink}>
            Create an account to join
          </Link>
          <Link href={`/sign-in?invite=${token}`} className={secondaryLink}>
            I have an account: sign in to join
          </Link>
        </div>
      ) : user.email === email ? (
        <AcceptInvitation token={token} teamName={team.name} />
      ) : (
        <div className="space-y-3">
          <p role="alert" className="rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900">
            You are signed in as {user.email}, but this invitation is for {email}. Sign out, then open the link again and sign in or create an account with {email}.
          </p>
          <SignOutButton />
        </div>
      )}
    </Card>
  );
}
