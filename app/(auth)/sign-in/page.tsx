import type { Metadata } from "next";
import { SignInForm } from "@/components/auth/sign-in-form";
import { safeCallbackUrl } from "@/lib/auth/schemas";
import { pendingInvitation } from "@/lib/teams/invitations";

export const metadata: Metadata = { title: "Sign in" };

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ callbackUrl?: string; invite?: string }> }) {
  const { callbackUrl, invite } = await searchParams;
  return <SignInForm callbackUrl={safeCallbackUrl(callbackUrl)} invitation={await pendingInvitation(invite)} />;
}
