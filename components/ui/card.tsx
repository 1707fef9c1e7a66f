import type { HTMLAttributes, ReactNode } from "react";
import { cn } from "@/lib/cn";

export function Card({ className, ...props }: HTMLAttributes<HTMLDivElement>) {
  return <div className={cn("rounded-lg border border-slate-200 bg-white shadow-sm", className)} {...props} />;
}

export function CardHeader(props: { title: ReactNode; description?: ReactNode; actions?: ReactNode }) {
  return (
    <div className="flex items-start justify-between gap-4 border-b border-slate-100 px-5 py-4">
      <div>
        <h2 className="text-base font-semibold text-slate-900">{props.title}</h2>
        {props.description && <p className="mt-0.5 text-sm text-slate-600">{props.description}</p>}
      </div>
      {props.actions && <div className="shrink-0">{props.actions}</div>}
    </div>
  );
}

/** `level`: 3 under a card's own heading (h2), 2 when the card has none, so headings never skip a level. */
export function EmptyState(props: { icon?: ReactNode; title: string; children?: ReactNode; action?: ReactNode; level?: 2 | 3 }) {
  const Heading = props.level === 2 ? "h2" : "h3";
  return (
    <div className="flex flex-col items-center justify-center px-6 py-14 text-center">
      {props.icon && (
        <div className="mb-3 text-slate-400" aria-hidden>
          {props.icon}
        </div>
      )}
      <Heading className="text-sm font-semibold text-slate-900">{props.title}</Heading>
      {props.children && <p className="mt-1 max-w-sm text-sm text-slate-600">{props.children}</p>}
      {props.action && <div className="mt-4">{props.action}</div>}
    </div>
  );
}

export function Badge({ tone = "slate", children }: { tone?: "slate" | "green" | "red" | "amber" | "blue"; children: ReactNode }) {
  const tones = {
    slate: "bg-slate-100 text-slate-700",
    green: "bg-emerald-50 text-emerald-700",
    red: "bg-red-50 text-red-700",
    amber: "bg-amber-50 text-amber-800",
    blue: "bg-blue-50 text-blue-700",
  };
  return <span className={cn("inline-flex items-center rounded-full px-2 py-0.5 text-xs font-medium", tones[tone])}>{children}</span>;
}
