"use client";
import type { ReactNode } from "react";
import { Dialog as D } from "radix-ui";
import { X } from "lucide-react";

export const Dialog = D.Root;
export const DialogTrigger = D.Trigger;
export const DialogClose = D.Close;

/**
 * A ref for an element inside a modal dialog: while it is mounted, the page behind is inert.
 * Radix hides that page from screen readers with aria-hidden, but its links and buttons could
 * still take focus (axe: aria-hidden-focus); inert takes them out of the tab order too. Live
 * regions (the toasts) and scripts stay, as Radix leaves them visible.
 */
export function inertBehind(inside: HTMLElement | null) {
  if (!inside) return;
  const behind = Array.from(document.body.children).filter((el) => !el.contains(inside) && !el.hasAttribute("inert") && !el.matches("script, [aria-live]"));
  for (const el of behind) el.setAttribute("inert", "");
  return () => {
    for (const el of behind) el.removeAttribute("inert");
  };
}

/** Shared with the confirm dialog, so both kinds of dialog look alike. */
export const overlayClass = "fixed inset-0 z-40 bg-slate-900/40";
export const contentClass =
  "fixed left-1/2 top-1/2 z-50 max-h-[90vh] w-[min(92vw,28rem)] -translate-x-1/2 -translate-y-1/2 overflow-y-auto rounded-lg bg-white p-6 shadow-xl focus:outline-none";

export function DialogContent(props: { title: string; description?: ReactNode; children: ReactNode }) {
  return (
    <D.Portal>
      <D.Overlay className={overlayClass} />
      <D.Content className={contentClass}>
        <D.Title className="text-base font-semibold text-slate-900">{props.title}</D.Title>
        {props.description ? (
          <D.Description className="mt-1 text-sm text-slate-500">{props.description}</D.Description>
        ) : (
          <D.Description className="sr-only">{props.title}</D.Description>
        )}
        <div className="mt-4" ref={inertBehind}>
          {props.children}
        </div>
        <D.Close className="absolute right-4 top-4 rounded p-1 text-slate-500 hover:text-slate-800" aria-label="Close">
          <X className="h-4 w-4" />
        </D.Close>
      </D.Content>
    </D.Portal>
  );
}
