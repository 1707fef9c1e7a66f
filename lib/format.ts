/** `2026-11-28 04:42 UTC`: the same on the server and in every browser. */
export function formatDateTime(d: Date | string | null | undefined): string {
  if (!d) return "—";
  const date = typeof d === "string" ? new Date(d) : d;
  return `${date.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

/** Text ending in a full stop, for messages built from a headline and what follows it. */
export function asSentence(text: string): string {
  // A capped line ends in "…": another full stop after it would read as a typo.
  return /[.!?…]$/.test(text) ? text : `${text}.`;
}
