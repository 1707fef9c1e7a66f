"use client";
import { useEffect, useState, type ReactNode } from "react";
import { usePathname } from "next/navigation";

/** Below md the sidebar folds into this bar; the panel closes on every navigation. The button's two icons come drawn from the server. */
export function MobileNav({ title, openIcon, closeIcon, children }: { title: string; openIcon: ReactNode; closeIcon: ReactNode; children: ReactNode }) {
  const [open, setOpen] = useState(false);
  const pathname = usePathname();
  const [seenPath, setSeenPath] = useState(pathname);
  if (seenPath !== pathname) {
    setSeenPath(pathname);
    setOpen(false);
  }
  useEffect(() => {
    if (!open) return;
    const onKey = (e: KeyboardEvent) => e.key === "Escape" && setOpen(false);
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [open]);
  return (
    <div className="border-b border-slate-200 bg-white md:hidden">
      <div className="flex h-12 items-center justify-between px-4">
        <span className="truncate text-sm font-semibold">{title}</span>
        <button
          type="button"
          onClick={() => setOpen((o) => !o)}
          aria-expanded={open}
          aria-controls="mobile-nav-panel"
          className="inline-flex h-9 w-9 items-center justify-center rounded-md text-slate-700 hover:bg-slate-100"
        >
          {open ? closeIcon : openIcon}
          <span className="sr-only">{open ? "Close menu" : "Open menu"}</span>
        </button>
      </div>
      {open && (
        <div id="mobile-nav-panel" className="border-t border-slate-100">
          {children}
        </div>
      )}
    </div>
  );
}
