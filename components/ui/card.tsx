import type { HTMLAttributes, ReactNode } from "react";
import { cn } from "@/lib/cn";

export function Card({ className, ...props }: HTMLAttributes<HTMLDivElement>) {
  return <div className={cn("rounded-lg border border-slate-200 bg-white shadow-sm", className)} {...props} />;
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
