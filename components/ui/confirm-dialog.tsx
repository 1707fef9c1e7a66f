"use client";
import { useId, useState, useTransition, type ReactNode } from "react";
import { Button } from "./button";
import { Dialog } from "./dialog";
import { FormError } from "./field";
import { Input } from "./input";

/**
 * Every destructive action (delete, remove, revoke, leave) goes through this: one red button
 * opens an alert dialog that says what goes; the same red button in it runs the action. A refusal
 * (the caller may not) shows the button disabled with the reason, and says who can.
 */
export function ConfirmDialog(props: {
  /** The opening button's content (icon and word); `triggerLabel` names it for screen readers when it is an icon or a word shared by many rows. */
  trigger: ReactNode;
  triggerLabel?: string;
  size?: "sm" | "md";
  title: string;
  /** What goes with it, in plain words. */
  description: ReactNode;
  confirmLabel: string;
  /** Runs the action. A message it returns is shown in the dialog, which stays open; nothing closes it. */
  onConfirm: () => Promise<string | undefined>;
  /** Why the caller may not, and who can: the button is disabled and this is said beside it. */
  refusal?: string | null;
  /** For what cannot be undone and takes much with it: the confirm button waits until this is typed. */
  typeToConfirm?: string;
  children?: ReactNode;
}) {
  const [open, setOpen] = useState(false);
  const [error, setError] = useState<string>();
  const [typed, setTyped] = useState("");
  const [pending, startTransition] = useTransition();
  const ids = useId();

  if (props.refusal) {
    return (
      <div className="flex max-w-xs items-center gap-2">
        <Button variant="destructive" size={props.size} disabled aria-label={props.triggerLabel} aria-describedby={`${ids}-refusal`}>
          {props.trigger}
        </Button>
        <span id={`${ids}-refusal`} className="text-xs text-slate-600">
          {props.refusal}
        </span>
      </div>
    );
  }

  const confirm = () =>
    startTransition(async () => {
      const message = await props.onConfirm();
      if (message) setError(message);
      else setOpen(false);
    });
  const onOpenChange = (next: boolean) => {
    setOpen(next);
    setError(undefined);
    setTyped("");
  };
  const waitingForText = props.typeToConfirm !== undefined && typed.trim() !== props.typeToConfirm;

  return (
    <>
      <Button variant="destructive" size={props.size} aria-label={props.triggerLabel} onClick={() => onOpenChange(true)}>
        {props.trigger}
      </Button>
      <Dialog open={open} onOpenChange={onOpenChange} title={props.title} description={props.description} alert>
        {props.children}
        {props.typeToConfirm !== undefined && (
          <div className="mt-4 space-y-1.5">
            <label htmlFor={`${ids}-type`} className="block text-sm font-medium text-slate-800">
              Type <span className="font-mono">{props.typeToConfirm}</span> to confirm
            </label>
            <Input id={`${ids}-type`} value={typed} onChange={(e) => setTyped(e.target.value)} autoComplete="off" spellCheck={false} />
          </div>
        )}
        <div className="mt-4">
          <FormError message={error} />
        </div>
        <div className="mt-4 flex flex-wrap justify-end gap-2">
          <Button variant="secondary" onClick={() => onOpenChange(false)}>
            Cancel
          </Button>
          <Button variant="destructive" onClick={confirm} pending={pending} disabled={waitingForText}>
            {props.confirmLabel}
          </Button>
        </div>
      </Dialog>
    </>
  );
}
