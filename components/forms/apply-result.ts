import type { FieldValues, Path, UseFormSetError } from "react-hook-form";
import type { FieldErrors } from "@/lib/errors";

/**
 * Puts a server action's field errors on the form's fields. Errors for fields the form does
 * not show come back as one message for the form itself.
 */
export function applyFieldErrors<T extends FieldValues>(
  setError: UseFormSetError<T>,
  fields: readonly string[],
  fieldErrors: FieldErrors | undefined,
): string | undefined {
  const unshown: string[] = [];
  for (const [key, messages] of Object.entries(fieldErrors ?? {})) {
    const message = messages[0];
    if (!message) continue;
    if (fields.includes(key)) setError(key as Path<T>, { type: "server", message });
    else unshown.push(key === "_form" ? message : `${key}: ${message}`);
  }
  return unshown.length > 0 ? unshown.join("; ") : undefined;
}
