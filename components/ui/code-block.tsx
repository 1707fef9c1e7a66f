import type { ReactNode } from "react";
import { cn } from "@/lib/cn";

/**
 * Preformatted text that may scroll (a manifest, a log, an export). It takes keyboard focus so
 * that someone without a mouse can scroll it too, and is a named region so the focus says what it is.
 */
export function CodeBlock({ label, className, children, testId }: { label: string; className?: string; children: ReactNode; testId?: string }) {
  return (
    <pre
      tabIndex={0}
      role="region"
      aria-label={label}
      data-testid={testId}
      className={cn("overflow-auto rounded-md p-4 font-mono text-xs focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-slate-900", className)}
    >
      {children}
    </pre>
  );
}
