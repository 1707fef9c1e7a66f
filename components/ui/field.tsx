import type { ReactNode } from "react";

/**
 * A labelled form control with its help text and error. The control receives the ids to
 * point `aria-describedby` at; the error is announced when it appears.
 */
export function Field(props: {
  id: string;
  label: string;
  help?: ReactNode;
  error?: string;
  children: (a11y: { id: string; "aria-invalid": boolean; "aria-describedby": string | undefined }) => ReactNode;
}) {
  const helpId = props.help ? `${props.id}-help` : undefined;
  const errorId = `${props.id}-error`;
  const describedBy = [props.error ? errorId : undefined, helpId].filter(Boolean).join(" ") || undefined;
  return (
    <div className="space-y-1.5">
      <label htmlFor={props.id} className="block text-sm font-medium text-slate-800">
        {props.label}
      </label>
      {props.children({ id: props.id, "aria-invalid": Boolean(props.error), "aria-describedby": describedBy })}
      {props.help && (
        <p id={helpId} className="text-xs text-slate-500">
          {props.help}
        </p>
      )}
      <p id={errorId} role="alert" aria-live="polite" className="min-h-0 text-xs font-medium text-red-600">
        {props.error}
      </p>
    </div>
  );
}

/** A form-level message (e.g. wrong password), announced to screen readers. */
export function FormError({ message }: { message?: string }) {
  if (!message) return null;
  return (
    <div role="alert" aria-live="assertive" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-700">
      {message}
    </div>
  );
}
