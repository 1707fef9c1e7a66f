"use client";
import { useEffect, useState } from "react";
import { cn } from "@/lib/cn";
import { dismiss, type Toast, type ToastIcons } from "./toast";

const SHOWN_FOR_MS = 4000;

const toneClass = {
  success: "border-emerald-200 bg-emerald-50 text-emerald-800",
  error: "border-red-200 bg-red-50 text-red-800",
  warning: "border-amber-200 bg-amber-50 text-amber-800",
} as const;

/** Stays while the pointer or the focus is on it, so there is time to read it. */
export default function ToastItem({ toast, icons }: { toast: Toast; icons: ToastIcons }) {
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
