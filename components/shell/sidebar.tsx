"use client";
import Link from "next/link";
import { usePathname } from "next/navigation";
import { Boxes, KeyRound, Users } from "lucide-react";
import { cn } from "@/lib/cn";

export function Sidebar({ teamSlug }: { teamSlug: string }) {
  const pathname = usePathname();
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
            {section.items.map(({ href, label, icon: Icon }) => {
              const active = pathname === href || pathname.startsWith(`${href}/`);
              return (
                <li key={href}>
                  <Link
                    href={href}
                    aria-current={active ? "page" : undefined}
                    className={cn(
                      "flex items-center gap-2 rounded-md px-2 py-1.5 text-sm",
                      active ? "bg-slate-100 font-medium text-slate-900" : "text-slate-600 hover:bg-slate-50 hover:text-slate-900",
                    )}
                  >
                    <Icon className="h-4 w-4" aria-hidden /> {label}
                  </Link>
                </li>
              );
            })}
          </ul>
        </div>
      ))}
    </nav>
  );
}
