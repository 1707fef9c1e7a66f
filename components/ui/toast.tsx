"use client";
import { useEffect, useState, useSyncExternalStore, type ReactNode } from "react";
import { cn } from "@/lib/cn";

type Tone = "success" | "error" | "warning";
type Toast = { id: number; tone: Tone; message: string };

/** The toasts on screen, newest last; the one <Toaster> in the root layout draws them. */
let shown: Toast[] = [];
let lastId = 0;
const listeners = new Set<() => void>();
const none: Toast[] = [];

function publish(next: Toast[]) {
  shown = next;
  for (const listener of listeners) listener();
}

function dismiss(id: number) {
  publish(shown.filter((t) => t.id !== id));
}

const add = (tone: Tone) => (message: string) => publish([...shown, { id: ++lastId, tone, message }]);

/** A short confirmation of what just happened, bottom right, gone after a few seconds. */
export const toast = { success: add("success"), error: add("error"), warning: add("warning") };

const VISIBLE = 3;
const SHOWN_FOR_MS = 4000;

const toneClass = {
  success: "border-emerald-200 bg-emerald-50 text-emerald-800",
  error: "border-red-200 bg-red-50 text-red-800",
  warning: "border-amber-200 bg-amber-50 text-amber-800",
} as const;

/** An icon per tone and the close button's, drawn by the server (the root layout). */
type ToastIcons = Record<Tone | "close", ReactNode>;

/** A polite live region: screen readers read each toast as it comes, and a modal dialog leaves it outside its inert page. */
export function Toaster({ icons }: { icons: ToastIcons }) {
  const toasts = useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    () => shown,
    () => none,
  );
  return (
    <section aria-label="Notifications" aria-live="polite" className="fixed bottom-6 right-6 z-[100] flex w-[356px] max-w-[calc(100vw-2rem)] flex-col gap-2">
      {toasts.slice(-VISIBLE).map((t) => (
        <ToastItem key={t.id} toast={t} icons={icons} />
      ))}
    </section>
  );
}

/** Stays while the pointer or the focus is on it, so there is time to read it. */
function ToastItem({ toast, icons }: { toast: Toast; icons: ToastIcons }) {
  const [held, setHeld] = useState(false);
  useEffect(() => {
    if (held) return;
    const timer = setTimeout(() => dismiss(toast.id), SHOWN_FOR_MS);
    return () => clearTimeout(timer);
  }, [held, toast.id]);
  return (
    <div
      className={cn("relative flex items-center gap-1.5 rounded-lg border p-4 text-[13px] shadow-[0_4px_12px_rgba(0,0,0,0.1)]", toneClass[toast.tone])}
      onMouseEnter={() => setHeld(true)}
      onMouseLeave={() => setHeld(false)}
      onFocus={() => setHeld(true)}
      onBlur={() => setHeld(false)}
    >
      {icons[toast.tone]}
      <span className="ml-0.5">{toast.message}</span>
      <button
        type="button"
        aria-label="Close toast"
        onClick={() => dismiss(toast.id)}
        className={cn("absolute -left-1.5 -top-1.5 flex h-5 w-5 items-center justify-center rounded-full border", toneClass[toast.tone])}
      >
        {icons.close}
      </button>
    </div>
  );
}
