import { AlertTriangle, CheckCircle2, Info, XCircle } from "lucide-react";
import { cn } from "@/lib/cn";
import type { VerdictView } from "./verdict";

const TONES = {
  green: { box: "border-emerald-200 bg-emerald-50 text-emerald-900", icon: CheckCircle2 },
  red: { box: "border-red-200 bg-red-50 text-red-800", icon: XCircle },
  amber: { box: "border-amber-200 bg-amber-50 text-amber-900", icon: AlertTriangle },
  blue: { box: "border-blue-200 bg-blue-50 text-blue-900", icon: Info },
};

export default function VerdictAnswer({ verdict, testId, id }: { verdict: VerdictView; testId: string; id?: string }) {
  const tone = TONES[verdict.tone];
  const Icon = tone.icon;
  return (
    <div id={id} className={cn("flex items-start gap-2 rounded-md border px-3 py-2 text-sm", tone.box)} role="status">
      <Icon className="mt-0.5 h-4 w-4 shrink-0" aria-hidden />
      <div className="min-w-0 space-y-1">
        <p className="font-medium" data-testid={`${testId}-headline`}>
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
  );
}
