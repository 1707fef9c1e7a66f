import type { ReactNode } from "react";
import { cn } from "@/lib/cn";
import { html, type Markup } from "@/lib/html";

export type BadgeTone = "slate" | "green" | "red" | "amber" | "blue";

const TONES: Record<BadgeTone, string> = {
  slate: "bg-slate-100 text-slate-700",
  green: "bg-emerald-50 text-emerald-700",
  red: "bg-red-50 text-red-700",
  amber: "bg-amber-50 text-amber-800",
  blue: "bg-blue-50 text-blue-700",
};

const badgeClass = (tone: BadgeTone) => cn("inline-flex items-center rounded-full px-2 py-0.5 text-xs font-medium", TONES[tone]);

export function Badge({ tone = "slate", children }: { tone?: BadgeTone; children: ReactNode }) {
  return <span className={badgeClass(tone)}>{children}</span>;
}

/** The same badge as markup, for a list's markup cells (components/ui/data-table.tsx). */
export function badgeMarkup(tone: BadgeTone, text: string): Markup {
  return html`<span class="${badgeClass(tone)}">${text}</span>`;
}
