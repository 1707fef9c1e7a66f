import type { VerdictView } from "@/components/ui/verdict";
import type { ConnectionTest } from "@/lib/environments/service";
import { asSentence } from "@/lib/format";

const SHOWN_NAMESPACES = 20;

/** One verdict for a connection check; in a form (`unsaved`) a failed check says that saving stays allowed. */
export function connectionVerdict(check: ConnectionTest, opts: { unsaved?: boolean } = {}): VerdictView {
  const details: VerdictView["details"] = [];
  if (check.detail) details.push({ label: "Details", text: asSentence(check.detail) });
  if (check.namespaces) {
    const more = check.namespaces.length - SHOWN_NAMESPACES;
    const shown = check.namespaces.slice(0, SHOWN_NAMESPACES).join(", ");
    details.push({ label: "Namespaces", text: check.namespaces.length ? `${shown}${more > 0 ? ` and ${more} more` : ""}` : "none yet" });
  }
  if (check.ok) return { tone: "green", message: asSentence(check.message), details };
  return { tone: opts.unsaved ? "amber" : "red", message: asSentence(check.message) + (opts.unsaved ? " You can still save." : ""), details };
}
