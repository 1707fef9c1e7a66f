import type { ReactNode } from "react";
import Link from "next/link";

// The parts of a menu that need no code in the browser: a server component renders them inside <Menu>.

export const itemClass =
  "flex w-full cursor-pointer select-none items-center gap-2 rounded px-2 py-1.5 text-left text-sm text-slate-700 outline-none focus:bg-slate-100 focus:text-slate-900 aria-disabled:cursor-default aria-disabled:opacity-50";

/** An item that navigates. */
export function MenuLink({ href, children }: { href: string; children: ReactNode }) {
  return (
    <Link href={href} role="menuitem" tabIndex={-1} className={itemClass}>
      {children}
    </Link>
  );
}

export function MenuLabel({ children }: { children: ReactNode }) {
  return <div className="px-2 py-1.5 text-xs font-medium text-slate-600">{children}</div>;
}

export function MenuSeparator() {
  return <div role="separator" className="my-1 h-px bg-slate-100" />;
}
