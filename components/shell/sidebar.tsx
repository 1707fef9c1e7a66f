import { Boxes, KeyRound, Users } from "lucide-react";
import { NavLink } from "./nav-link";

export function Sidebar({ teamSlug }: { teamSlug: string }) {
  const base = `/t/${teamSlug}`;
  const sections = [
    { heading: undefined, items: [{ href: `${base}/environments`, label: "Environments", icon: Boxes }] },
    {
      heading: "Settings",
      items: [
        { href: `${base}/settings/registries`, label: "Container Registries", icon: KeyRound },
        { href: `${base}/settings/team`, label: "Team", icon: Users },
      ],
    },
  ];
  return (
    <nav aria-label="Main" className="flex-1 space-y-5 p-3">
      {sections.map((section) => (
        <div key={section.heading ?? "main"}>
          {section.heading && <p className="px-2 pb-1 text-xs font-semibold uppercase tracking-wide text-slate-600">{section.heading}</p>}
          <ul className="space-y-0.5">
            {section.items.map(({ href, label, icon: Icon }) => (
              <li key={href}>
                <NavLink href={href}>
                  <Icon className="h-4 w-4" aria-hidden /> {label}
                </NavLink>
              </li>
            ))}
          </ul>
        </div>
      ))}
    </nav>
  );
}
