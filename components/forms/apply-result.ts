import type { FieldValues, Path, UseFormSetError } from "react-hook-form";
import type { FieldErrors } from "@/lib/errors";

/**
 * Puts a server action's field errors on the form's fields (`fields` in the order the form shows
 * them) and moves the focus to the first of them, as the browser's own check does: the user lands
 * where to fix it, and a screen reader reads that field's error. Errors for fields the form does
 * not show come back as one message for the form itself.
 */
export function applyFieldErrors<T extends FieldValues>(
  setError: UseFormSetError<T>,
  fields: readonly string[],
  fieldErrors: FieldErrors | undefined,
): string | undefined {
  let focused = false;
  for (const field of fields) {
    const message = fieldErrors?.[field]?.[0];
    if (!message) continue;
    setError(field as Path<T>, { type: "server", message }, { shouldFocus: !focused });
    focused = true;
  }
  const unshown = Object.entries(fieldErrors ?? {})
    .filter(([key, messages]) => !fields.includes(key) && messages[0])
    .map(([key, messages]) => (key === "_form" ? messages[0] : `${key}: ${messages[0]}`));
  return unshown.length > 0 ? unshown.join("; ") : undefined;
}
