import type { TestOutcome } from "@/db/schema";

export type Verdict = { label: string; tone: "green" | "red" | "amber" | "blue"; message: string };

const LIVE: Record<string, Omit<Verdict, "message">> = {
  valid: { label: "valid", tone: "green" },
  no_auth_required: { label: "no auth needed", tone: "amber" },
  invalid_credentials: { label: "invalid", tone: "red" },
  no_pull_access: { label: "no pull access", tone: "red" },
  not_a_registry: { label: "not a registry", tone: "red" },
  unreachable: { label: "unreachable", tone: "red" },
  refused_address: { label: "not checked", tone: "amber" },
  rate_limited: { label: "rate limited", tone: "amber" },
  not_applicable: { label: "nothing to check", tone: "blue" },
};

/** How a stored test result reads in lists and on the registry page: the live verdict when there is one. */
export function verdictOf(outcome: TestOutcome): Verdict {
  if (outcome.live) return { ...(LIVE[outcome.live.status] ?? { label: outcome.live.status, tone: "red" }), message: outcome.live.message };
  return outcome.ok ? { label: "well-formed", tone: "blue", message: outcome.message } : { label: "invalid fields", tone: "red", message: outcome.message };
}
