"use client";
import { useEffect, useId, useRef, type ReactNode } from "react";
import { createPortal } from "react-dom";
import { X } from "lucide-react";

/**
 * While an element inside a modal dialog is mounted, the page behind is inert: out of the tab
 * order and hidden from screen readers. Live regions (the toasts) and scripts stay, so a toast
 * raised from a dialog is still seen and heard.
 */
function inertBehind(inside: HTMLElement) {
  const behind = Array.from(document.body.children).filter((el) => !el.contains(inside) && !el.hasAttribute("inert") && !el.matches("script, [aria-live]"));
  for (const el of behind) el.setAttribute("inert", "");
  return () => {
    for (const el of behind) el.removeAttribute("inert");
  };
}

const FOCUSABLE = 'input:not([disabled]), textarea:not([disabled]), button:not([disabled]), a[href], [tabindex]:not([tabindex="-1"])';

/**
 * A modal dialog over the page, in a portal on <body>. It takes the focus to its first control,
 * Escape closes it, and the focus goes back to where it was (the button that opened it). A plain
 * dialog also closes on a click beside it and has a close button; an alert dialog (a
 * confirmation) closes only by its own buttons or Escape.
 */
export function Dialog(props: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  title: string;
  /** Said with the title; the title again when there is nothing more to say. */
  description?: ReactNode;
  alert?: boolean;
  children: ReactNode;
}) {
  if (!props.open) return null;
  return createPortal(<DialogPanel {...props} />, document.body);
}

function DialogPanel({ onOpenChange, title, description, alert, children }: Parameters<typeof Dialog>[0]) {
  const panel = useRef<HTMLDivElement>(null);
  const ids = useId();
  useEffect(() => {
    const el = panel.current!;
    const opener = document.activeElement as HTMLElement | null;
    const restore = inertBehind(el);
    (el.querySelector<HTMLElement>(FOCUSABLE) ?? el).focus();
    return () => {
      restore();
      opener?.focus();
    };
  }, []);
  const close = () => onOpenChange(false);
  return (
    <div>
      <div className="fixed inset-0 z-40 bg-slate-900/40" onClick={alert ? undefined : close} />
      <div
        ref={panel}
        role={alert ? "alertdialog" : "dialog"}
        aria-modal="true"
        aria-labelledby={`${ids}-title`}
        aria-describedby={`${ids}-description`}
        tabIndex={-1}
        onKeyDown={(e) => {
          if (e.key !== "Escape") return;
          e.preventDefault();
          close();
        }}
        className="fixed left-1/2 top-1/2 z-50 max-h-[90vh] w-[min(92vw,28rem)] -translate-x-1/2 -translate-y-1/2 overflow-y-auto rounded-lg bg-white p-6 shadow-xl focus:outline-none"
      >
        <h2 id={`${ids}-title`} className="text-base font-semibold text-slate-900">
          {title}
        </h2>
        <div id={`${ids}-description`} className={description ? (alert ? "mt-2 space-y-2 text-sm text-slate-600" : "mt-1 text-sm text-slate-500") : "sr-only"}>
          {description ?? title}
        </div>
        <div className={alert ? undefined : "mt-4"}>{children}</div>
        {!alert && (
          <button type="button" onClick={close} className="absolute right-4 top-4 rounded p-1 text-slate-500 hover:text-slate-800" aria-label="Close">
            <X className="h-4 w-4" />
          </button>
        )}
      </div>
    </div>
  );
}
