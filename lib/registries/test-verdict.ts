import type { TestOutcome } from "@/db/schema";
import { asSentence } from "@/lib/format";

export type VerdictTone = "green" | "red" | "amber" | "blue";
export type VerdictDetail = { label: string; text: string };
/** One answer to a Test Connection: a label for lists, the headline, and what lies beneath it. */
export type Verdict = { label: string; tone: VerdictTone; message: string; details: VerdictDetail[] };

/** A recorded live result; `detail` (the technical part) came with later versions of the check. */
type Live = NonNullable<TestOutcome["live"]> & { detail?: string };

const LIVE: Record<string, Pick<Verdict, "label" | "tone"> & { answeredBy?: "registry" | "something" | "network" }> = {
  valid: { label: "valid", tone: "green", answeredBy: "registry" },
  no_auth_required: { label: "no auth needed", tone: "amber", answeredBy: "registry" },
  invalid_credentials: { label: "invalid", tone: "red", answeredBy: "registry" },
  no_pull_access: { label: "no pull access", tone: "red", answeredBy: "registry" },
  rate_limited: { label: "rate limited", tone: "amber", answeredBy: "registry" },
  not_a_registry: { label: "not a registry", tone: "red", answeredBy: "something" },
  unreachable: { label: "unreachable", tone: "amber", answeredBy: "network" },
  refused_address: { label: "not checked", tone: "amber", answeredBy: "network" },
  not_applicable: { label: "nothing to check", tone: "blue" },
};

/** Where the detail line came from: "Registry says" only when a registry (or AWS, for ECR) answered. */
function detailLabel(live: Live, answeredBy: "registry" | "something" | "network" | undefined): string {
  if (answeredBy === "registry") return live.host ? "Registry says" : "AWS says";
  if (answeredBy === "something") return "What answered";
  return "Connection";
}

/**
 * The one verdict of a test: what the registry (or the network) said when the live check ran,
 * with the structural result beneath it; the structural result alone otherwise. In a form
 * (`unsaved`), a failed live check says that saving stays allowed.
 */
export function verdictOf(outcome: TestOutcome, opts: { unsaved?: boolean } = {}): Verdict {
  const live = outcome.live as Live | undefined;
  if (!live) {
    if (!outcome.ok) return { label: "invalid fields", tone: "red", message: "Some fields are not valid: see the message on each field.", details: [] };
    return { label: "well-formed", tone: "blue", message: asSentence(outcome.message), details: [] };
  }
  const kind = LIVE[live.status] ?? { label: live.status, tone: "red" as const };
  const message = asSentence(live.message) + (opts.unsaved && !live.ok && live.status !== "not_applicable" ? " You can still save." : "");
  if (live.status === "not_applicable") return { ...kind, message, details: [] };
  const details: VerdictDetail[] = [{ label: "Fields", text: asSentence(outcome.message.replace(/^Valid: e/, "E")) }];
  if (live.detail) details.push({ label: detailLabel(live, kind.answeredBy), text: asSentence(live.detail) });
  return { label: kind.label, tone: kind.tone, message, details };
}
