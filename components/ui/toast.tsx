"use client";
import { lazy, Suspense, useSyncExternalStore, type ReactNode } from "react";

type Tone = "success" | "error" | "warning";
export type Toast = { id: number; tone: Tone; message: string };

/** The toasts on screen, newest last; the one <Toaster> in the root layout draws them. */
let shown: Toast[] = [];
let lastId = 0;
const listeners = new Set<() => void>();
const none: Toast[] = [];

function publish(next: Toast[]) {
  shown = next;
  for (const listener of listeners) listener();
}

export function dismiss(id: number) {
  publish(shown.filter((t) => t.id !== id));
}

const add = (tone: Tone) => (message: string) => publish([...shown, { id: ++lastId, tone, message }]);

/** A short confirmation of what just happened, bottom right, gone after a few seconds. */
export const toast = { success: add("success"), error: add("error"), warning: add("warning") };

const VISIBLE = 3;

/** An icon per tone and the close button's, drawn by the server (the root layout). */
export type ToastIcons = Record<Tone | "close", ReactNode>;

// A toast's own code loads with the first toast; the live region is there from the start.
const ToastItem = lazy(() => import("./toast-item"));

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
      <Suspense>
        {toasts.slice(-VISIBLE).map((t) => (
          <ToastItem key={t.id} toast={t} icons={icons} />
        ))}
      </Suspense>
    </section>
  );
}
