/**
 * Removes secret values from text that leaves the deploy module (logs, errors, deployment
 * records): the values themselves and the encodings a tool might echo them in.
 */
export const MASK = "****";

export function redactor(secrets: readonly (string | undefined)[]): (text: string) => string {
  const needles = new Set<string>();
  for (const secret of secrets) {
    if (!secret || secret.length < 4) continue;
    needles.add(secret);
    needles.add(Buffer.from(secret, "utf8").toString("base64"));
    needles.add(JSON.stringify(secret).slice(1, -1));
    // A multi-line key (PEM, service-account JSON) may be echoed one line at a time.
    for (const line of secret.split(/\r?\n/)) if (line.trim().length >= 16) needles.add(line.trim());
  }
  const ordered = [...needles].sort((a, b) => b.length - a.length);
  return (text) => ordered.reduce((out, needle) => out.split(needle).join(MASK), text);
}

/** Printable text only (control characters become spaces), at most `cap` characters: upstream text fit to show. */
export function printableCapped(text: string, cap: number): string {
  const clean = text.replace(/[\u0000-\u001f\u007f-\u009f]+/g, " ").trim();
  return clean.length > cap ? `${clean.slice(0, cap - 1)}…` : clean;
}
