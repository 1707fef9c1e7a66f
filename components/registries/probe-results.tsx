import { CheckCircle2, XCircle } from "lucide-react";
import type { ProbeRecord } from "@/db/schema";
import type { ProbeLine } from "@/lib/registries/rollout";

export const probeSummary = (p: Pick<ProbeRecord, "passed" | "total">, whose: string) =>
  `${whose} can pull ${p.passed} of ${p.total} image${p.total === 1 ? "" : "s"} in use`;

/** One line per image in use: pulls, or why not. */
export function ProbeResults({ results }: { results: ProbeLine[] }) {
  return (
    <ul className="divide-y divide-slate-100 rounded-md border border-slate-200 text-sm">
      {results.map((r) => (
        <li key={r.image} className="flex items-start gap-2 px-3 py-2">
          {r.ok ? <CheckCircle2 className="mt-0.5 h-4 w-4 shrink-0 text-emerald-700" aria-hidden /> : <XCircle className="mt-0.5 h-4 w-4 shrink-0 text-red-700" aria-hidden />}
          <span className="min-w-0">
            <span className="break-all font-mono text-slate-900">{r.image}</span>{" "}
            <span className={r.ok ? "text-emerald-800" : "font-medium text-red-700"}>{r.ok ? "pulls" : `— ${r.label ?? "failed"}`}</span>
            <span className="block text-xs text-slate-600">{r.message}</span>
          </span>
        </li>
      ))}
    </ul>
  );
}
