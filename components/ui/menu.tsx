"use client";
import { useEffect, useId, useRef, useState, type KeyboardEvent, type MouseEvent, type ReactNode } from "react";
import { cn } from "@/lib/cn";
import { itemClass } from "./menu-items";

/**
 * A menu button (WAI-ARIA APG): the button opens a `menu` of `menuitem`s. Opened with the keyboard
 * the first item takes the focus (Arrow Up: the last); arrows, Home and End move it; Escape closes
 * and returns to the button; Tab, a click outside or a choice closes it. Not modal: the page behind
 * stays as it is. Drawn below the button, or above it (`side="top"`) at the bottom of the sidebar.
 * The items may come rendered by a server component, icons and all. The button is a full-width
 * row, as the sidebar's team switcher and account menu draw it.
 */
export function Menu(props: { trigger: ReactNode; side?: "top" | "bottom"; children: ReactNode }) {
  const [open, setOpen] = useState(false);
  const focusOnOpen = useRef<"menu" | "first" | "last">("menu");
  const id = useId();
  const triggerRef = useRef<HTMLButtonElement>(null);
  const menuRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!open) return;
    const focus = focusOnOpen.current;
    const menu = menuRef.current;
    (focus === "menu" ? menu : focus === "first" ? itemsOf(menu)[0] : itemsOf(menu).at(-1))?.focus();
  }, [open]);

  const openWith = (focus: "menu" | "first" | "last") => {
    focusOnOpen.current = focus;
    setOpen(true);
  };
  const close = () => {
    setOpen(false);
    triggerRef.current?.focus();
  };

  const onMenuKeyDown = (e: KeyboardEvent) => {
    const all = itemsOf(menuRef.current);
    const at = all.indexOf(document.activeElement as HTMLElement);
    const next = { ArrowDown: all[(at + 1) % all.length], ArrowUp: all.at(at <= 0 ? -1 : at - 1), Home: all[0], End: all.at(-1) }[e.key];
    if (next) {
      e.preventDefault();
      next.focus();
    } else if (e.key === "Escape") {
      e.preventDefault();
      close();
    } else if (e.key === "Tab") {
      setOpen(false);
    }
  };

  return (
    <div
      className="relative"
      // Focus that leaves the button and the menu (Tab, a click elsewhere) closes it.
      onBlur={(e) => open && !e.currentTarget.contains(e.relatedTarget) && setOpen(false)}
      // A click on the button or in the menu leaves the focus where it is (Safari would drop it, and the blur above close the menu first).
      onMouseDown={(e) => e.preventDefault()}
    >
      <button
        ref={triggerRef}
        type="button"
        id={`${id}-trigger`}
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? `${id}-menu` : undefined}
        className="flex w-full items-center gap-2 rounded-md px-2 py-1.5 text-left hover:bg-slate-50"
        onKeyDown={(e) => {
          if (e.key !== "ArrowDown" && e.key !== "ArrowUp") return;
          e.preventDefault();
          openWith(e.key === "ArrowDown" ? "first" : "last");
        }}
        // Enter and Space click with e.detail 0: the first item takes the focus. A pointer focuses the menu itself, highlighting nothing.
        onClick={(e) => (open ? close() : openWith(e.detail > 0 ? "menu" : "first"))}
      >
        {props.trigger}
      </button>
      {open && (
        <div
          ref={menuRef}
          id={`${id}-menu`}
          role="menu"
          aria-labelledby={`${id}-trigger`}
          tabIndex={-1}
          onKeyDown={onMenuKeyDown}
          // An item under the pointer takes the focus, as the arrows would move it; a choice closes the menu (after the item's own click).
          onMouseMove={(e) => enabledItemAt(e)?.focus()}
          onClick={(e) => enabledItemAt(e) && close()}
          className={cn(
            "absolute left-0 z-50 w-max min-w-52 max-w-[calc(100vw-1.5rem)] rounded-md border border-slate-200 bg-white p-1 shadow-lg outline-none",
            props.side === "top" ? "bottom-full mb-1.5" : "top-full mt-1.5",
          )}
        >
          {props.children}
        </div>
      )}
    </div>
  );
}

const ENABLED_ITEM = '[role="menuitem"]:not([aria-disabled="true"])';

function itemsOf(menu: HTMLElement | null) {
  return Array.from(menu?.querySelectorAll<HTMLElement>(ENABLED_ITEM) ?? []);
}

function enabledItemAt(e: MouseEvent) {
  return (e.target as Element).closest<HTMLElement>(ENABLED_ITEM);
}

/** An item that runs `onSelect`; the menu closes. */
export function MenuItem({ onSelect, disabled, children }: { onSelect: () => void; disabled?: boolean; children: ReactNode }) {
  return (
    <button type="button" role="menuitem" tabIndex={-1} aria-disabled={disabled || undefined} className={itemClass} onClick={disabled ? undefined : onSelect}>
      {children}
    </button>
  );
}
