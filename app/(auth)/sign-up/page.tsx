import type { Metadata } from "next";
import { SignUpForm } from "@/components/auth/sign-up-form";
import { pendingInvitation } from "@/lib/teams/invitations";

export const metadata: Metadata = { title: "Create account" };

export default async function SignUpPage({ searchParams }: { searchParams: Promise<{ invite?: string }> }) {
  const { invite } = await searchParams;
  return <SignUpForm invitation={await pendingInvitation(invite)} />;
}
