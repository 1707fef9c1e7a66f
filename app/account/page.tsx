import type { Metadata } from "next";
import Link from "next/link";
import { requireUser } from "@/lib/auth/session";
import { Card } from "@/components/ui/card";
import { CardHeader } from "@/components/ui/card-header";
import { ChangePasswordForm } from "@/components/account/change-password-form";
import { CreateTokenForm } from "@/components/account/api-tokens/create-token-form";
import { TokenList } from "@/components/account/api-tokens/token-list";
import { listTokens } from "@/lib/api-tokens/tokens";
import { listTeamsOf } from "@/lib/teams/service";

export const metadata: Metadata = { title: "Account" };

/** The signed-in person's own settings; not about any one team, so outside the team shell. */
export default async function AccountPage() {
  const user = await requireUser();
  const [teams, tokens] = await Promise.all([listTeamsOf(user.id), listTokens(user.id)]);
  return (
    <main id="main" tabIndex={-1} className="mx-auto max-w-xl space-y-6 px-4 py-10 focus:outline-none">
      <Link href="/" className="text-sm text-slate-600 underline hover:text-slate-900">
        ← Back to the dashboard
      </Link>
      <header>
        <h1 className="text-2xl font-semibold">Account</h1>
        <p className="mt-1 text-sm text-slate-500">
          {user.name} · {user.email}
        </p>
      </header>
      <Card>
        <CardHeader title="Change password" description="Every other device where you are signed in is signed out; this one stays signed in." />
        <div className="p-5">
          <ChangePasswordForm />
        </div>
      </Card>
      <Card>
        <CardHeader
          title="API tokens"
          description="For scripts and CI: the REST API at /api/v1 (see /api/v1/openapi.json). A token acts for you in one team, with your role there or a lower one."
        />
        <div className="p-5">
          <CreateTokenForm teams={teams.map((t) => ({ slug: t.slug, name: t.name, role: t.role }))} />
        </div>
        <TokenList tokens={tokens} now={new Date()} />
      </Card>
    </main>
  );
}
