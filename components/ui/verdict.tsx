import { AlertTriangle, CheckCircle2, Info, Loader2, XCircle } from "lucide-react";
import { cn } from "@/lib/cn";

export type VerdictView = { tone: "green" | "red" | "amber" | "blue"; message: string; details: { label: string; text: string }[] };

const TONES = {
  green: { box: "border-emerald-200 bg-emerald-50 text-emerald-900", icon: CheckCircle2 },
  red: { box: "border-red-200 bg-red-50 text-red-800", icon: XCircle },
  amber: { box: "border-amber-200 bg-amber-50 text-amber-900", icon: AlertTriangle },
  blue: { box: "border-blue-200 bg-blue-50 text-blue-900", icon: Info },
};

/**
 * The one answer to a connection test: a headline in plain words, then what was checked and the
 * technical part (an HTTP status, a network error code) beneath it. Announced when it changes.
 */
export function VerdictPanel(props: { verdict?: VerdictView | "pending"; pendingText: string; testId: string; id?: string }) {
  const { verdict } = props;
  const tone = verdict && verdict !== "pending" ? TONES[verdict.tone] : undefined;
  const Icon = tone?.icon;
  return (
    <div aria-live="polite" data-testid={props.testId}>
      {verdict === "pending" ? (
        <div className="flex items-center gap-2 rounded-md bg-slate-50 px-3 py-2 text-sm text-slate-700" role="status">
          <Loader2 className="h-4 w-4 animate-spin" aria-hidden /> {props.pendingText}
        </div>
      ) : (
        verdict &&
        tone &&
        Icon && (
          <div id={props.id} className={cn("flex items-start gap-2 rounded-md border px-3 py-2 text-sm", tone.box)} role="status">
            <Icon className="mt-0.5 h-4 w-4 shrink-0" aria-hidden />
            <div className="min-w-0 space-y-1">
              <p className="font-medium" data-testid={`${props.testId}-headline`}>
                {verdict.message}
              </p>
              {verdict.details.length > 0 && (
                <dl className="space-y-0.5 break-words text-xs">
                  {verdict.details.map((d) => (
                    <div key={d.label}>
                      <dt className="inline font-medium">{d.label}: </dt>
                      <dd className="inline">{d.text}</dd>
                    </div>
                  ))}
                </dl>
              )}
            </div>
          </div>
        )
      )}
    </div>
  );
}
