/**
 * Markup as a string, for lists long enough that React's per-element cost dominates a page (see
 * components/ui/data-table.tsx): the template's own text is trusted, and every value put into it is
 * escaped for text and for quoted attribute values alike, unless it is itself markup made by `html`.
 * So a name like `<img onerror=…>` or `" onclick="…` reads back as the text it is.
 */
const MARKUP = Symbol("markup");

/** Only `html` makes one: a string cannot pass for markup. */
export type Markup = { readonly value: string; readonly [MARKUP]: true };

/** What a template may hold: false, null and undefined leave nothing, so `${cond && html`…`}` reads naturally. */
export type MarkupPart = Markup | string | number | boolean | null | undefined | readonly MarkupPart[];

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

function render(part: MarkupPart): string {
  if (Array.isArray(part)) return part.map(render).join("");
  if (typeof part === "object" && part !== null && MARKUP in part) return part.value;
  if (part === null || part === undefined || part === false || part === true) return "";
  return escapeHtml(String(part));
}

export function html(template: TemplateStringsArray, ...values: MarkupPart[]): Markup {
  let out = template[0] ?? "";
  values.forEach((value, i) => {
    out += render(value) + (template[i + 1] ?? "");
  });
  return { value: out, [MARKUP]: true };
}
