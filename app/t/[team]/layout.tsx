import { Menu, X } from "lucide-react";
import { requireTeam } from "@/lib/auth/session";
import { listTeamsOf } from "@/lib/teams/service";
import { Sidebar } from "@/components/shell/sidebar";
import { TeamSwitcher } from "@/components/shell/team-switcher";
import { UserMenu } from "@/components/shell/user-menu";
import { MobileNav } from "@/components/shell/mobile-nav";
import { SoftNavigation } from "@/components/shell/nav-link";

export default async function TeamLayout({ children, params }: { children: React.ReactNode; params: Promise<{ team: string }> }) {
  const { team: slug } = await params;
  const { user, team } = await requireTeam(slug);
  const teams = await listTeamsOf(user.id);
  const navigation = (
    <>
      <div className="border-b border-slate-100 p-3">
        <TeamSwitcher current={{ slug: team.slug, name: team.name }} teams={teams.map(({ slug, name, role }) => ({ slug, name, role }))} />
      </div>
      <Sidebar teamSlug={team.slug} />
      <div className="mt-auto border-t border-slate-100 p-3">
        <UserMenu name={user.name} email={user.email} />
      </div>
    </>
  );
  return (
    <div className="min-h-screen md:flex">
      <MobileNav title={team.name} openIcon={<Menu className="h-5 w-5" aria-hidden />} closeIcon={<X className="h-5 w-5" aria-hidden />}>{navigation}</MobileNav>
      <aside className="hidden w-60 shrink-0 flex-col border-r border-slate-200 bg-white md:flex">{navigation}</aside>
      <main id="main" tabIndex={-1} className="min-w-0 flex-1 focus:outline-none">
        <SoftNavigation className="mx-auto max-w-5xl px-4 py-6 sm:px-6 sm:py-8">{children}</SoftNavigation>
      </main>
    </div>
  );
}
