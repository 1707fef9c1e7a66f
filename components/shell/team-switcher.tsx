import { Check, ChevronsUpDown, Plus } from "lucide-react";
import { Menu } from "@/components/ui/menu";
import { MenuLabel, MenuLink, MenuSeparator } from "@/components/ui/menu-items";
import { CreateTeam, CreateTeamItem } from "@/components/teams/create-team-item";

type TeamOption = { slug: string; name: string; role: string };

/** Teams are named freely, so two may share a name: each shows its slug (its address) too. */
export function TeamSwitcher({ current, teams }: { current: { slug: string; name: string }; teams: TeamOption[] }) {
  return (
    <CreateTeam>
      <Menu
        trigger={
          <>
            <span className="flex h-7 w-7 shrink-0 items-center justify-center rounded bg-indigo-600 text-xs font-semibold text-white" aria-hidden>
              {current.name.slice(0, 1).toUpperCase()}
            </span>
            {/* The accessible name is the visible text, after what the button does. */}
            <span className="sr-only">Switch team, current: </span>
            <span className="min-w-0 flex-1">
              <span className="block truncate text-sm font-semibold">{current.name}</span>
              <span className="block truncate font-mono text-xs text-slate-600">{current.slug}</span>
            </span>
            <ChevronsUpDown className="h-4 w-4 shrink-0 text-slate-500" aria-hidden />
          </>
        }
      >
        <MenuLabel>Teams</MenuLabel>
        {teams.map((t) => (
          <MenuLink key={t.slug} href={`/t/${t.slug}/settings/registries`}>
            <span className="min-w-0 flex-1">
              <span className="block truncate">{t.name}</span>
              <span className="block truncate font-mono text-xs text-slate-600">{t.slug}</span>
            </span>
            <span className="text-xs text-slate-600">{t.role}</span>
            {t.slug === current.slug && <Check className="h-4 w-4" aria-label="current team" />}
          </MenuLink>
        ))}
        <MenuSeparator />
        <CreateTeamItem>
          <Plus className="h-4 w-4" aria-hidden /> Create team
        </CreateTeamItem>
      </Menu>
    </CreateTeam>
  );
}
