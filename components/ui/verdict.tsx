"use client";
import { lazy, Suspense } from "react";
import { Loader2 } from "lucide-react";

export type VerdictView = { tone: "green" | "red" | "amber" | "blue"; message: string; details: { label: string; text: string }[] };

const VerdictAnswer = lazy(() => import("./verdict-answer"));

/**
 * The one answer to a connection test: a headline in plain words, then what was checked and the
 * technical part (an HTTP status, a network error code) beneath it. Announced when it changes.
 * The answer's own code loads with the first answer; the live region is there from the start.
 */
export function VerdictPanel(props: { verdict?: VerdictView | "pending"; pendingText: string; testId: string; id?: string }) {
  const { verdict } = props;
  return (
    <div aria-live="polite" data-testid={props.testId}>
      {verdict === "pending" ? (
        <div className="flex items-center gap-2 rounded-md bg-slate-50 px-3 py-2 text-sm text-slate-700" role="status">
          <Loader2 className="h-4 w-4 animate-spin" aria-hidden /> {props.pendingText}
        </div>
      ) : (
        verdict && (
          <Suspense>
            <VerdictAnswer verdict={verdict} testId={props.testId} id={props.id} />
          </Suspense>
        )
      )}
    </div>
  );
}
