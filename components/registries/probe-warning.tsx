"use client";
import type { ReactNode } from "react";
import { Loader2 } from "lucide-react";
import type { ProbeLine } from "@/lib/registries/rollout";
import type { registryClient } from "@/lib/registries/client";
import { ProbeResults, probeSummary } from "./probe-results";
import type { EditTarget } from "./registry-form";

/** The pull probe of typed credentials, for the values it was run on. */
export type ProbeView = { pending: true } | { pending?: false; credentials: string; passed: number; total: number; results: ProbeLine[]; error?: undefined } | { pending?: false; credentials: string; error: string };

/**
 * Changed credentials are probed against every image in use first. A failure is shown as a
 * warning and the save waits for a second click ("Save anyway") on the same values (`warned`):
 * saving stays allowed, since an unreachable or not yet populated registry is no reason to refuse it.
 */
export async function probeBeforeSaving(opts: {
  target: EditTarget;
  credentials: Record<string, string>;
  /** The credentials as typed, which the probe is kept for. */
  typed: string;
  warned: boolean;
  setProbe: (probe: ProbeView | undefined) => void;
  probeCredentials: ReturnType<typeof registryClient>["probe"];
  showServerErrors: (result: { error: string; fieldErrors?: Record<string, string[]> }) => void;
}): Promise<{ save: boolean; summary?: string }> {
  const { target, credentials, typed, setProbe } = opts;
  const changed = Object.entries(credentials).some(([name, value]) => (target.secretFields.includes(name) ? value !== "" : value !== (target.visibleFields[name] ?? "")));
  if (target.imagesInUse === 0 || !changed || opts.warned) return { save: true };
  setProbe({ pending: true });
  const result = await opts.probeCredentials({ registryId: target.registryId, credentials });
  if (!result.ok) {
    setProbe({ credentials: typed, error: result.error });
    return { save: false };
  }
  if (result.data.fieldErrors) {
    setProbe(undefined);
    opts.showServerErrors({ error: "Some fields need attention", fieldErrors: result.data.fieldErrors });
    return { save: false };
  }
  setProbe({ credentials: typed, ...result.data });
  const summary = probeSummary(result.data, "The new credentials");
  return result.data.passed < result.data.total ? { save: false } : { save: true, summary };
}

export default function ProbeWarning({ probe }: { probe?: ProbeView }) {
  let body: ReactNode = null;
  if (probe?.pending) {
    body = (
      <div className="flex items-center gap-2 rounded-md bg-slate-50 px-3 py-2 text-sm text-slate-700" role="status">
        <Loader2 className="h-4 w-4 animate-spin" aria-hidden /> Checking that the new credentials can pull the images in use…
      </div>
    );
  } else if (probe?.error !== undefined) {
    body = (
      <div id="probe-warning" className="rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900" role="alert">
        The new credentials could not be probed: {probe.error.replace(/\.?$/, ".")} You can still save.
      </div>
    );
  } else if (probe && probe.passed < probe.total) {
    body = (
      <div id="probe-warning" className="space-y-2 rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900" role="alert">
        <p className="font-medium">
          Warning: the new credentials cannot pull {probe.total - probe.passed} of {probe.total} image{probe.total === 1 ? "" : "s"} in use.
        </p>
        <ProbeResults results={probe.results} />
        <p>You can still save: running containers keep running, but their next pull (deploy, scale, restart) fails until this is fixed.</p>
      </div>
    );
  }
  return (
    <div aria-live="polite" data-testid="probe-before-save">
      {body}
    </div>
  );
}
