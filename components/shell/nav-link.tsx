"use client";
import { useEffect, useRef, type ReactNode } from "react";
import Link from "next/link";
import { usePathname, useRouter } from "next/navigation";
import { cn } from "@/lib/cn";

/** A sidebar link, marked as the current page on it and below it. */
export function NavLink({ href, children }: { href: string; children: ReactNode }) {
  const pathname = usePathname();
  const active = pathname === href || pathname.startsWith(`${href}/`);
  return (
    <Link
      href={href}
      aria-current={active ? "page" : undefined}
      className={cn(
        "flex items-center gap-2 rounded-md px-2 py-1.5 text-sm",
        active ? "bg-slate-100 font-medium text-slate-900" : "text-slate-600 hover:bg-slate-50 hover:text-slate-900",
      )}
    >
      {children}
    </Link>
  );
}

/** The link a click inside `root` followed, when this page may follow it itself: same origin, this tab, not a download. */
function ownLink(event: MouseEvent, root: HTMLElement): HTMLAnchorElement | null {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return null;
  const link = event.target instanceof Element ? event.target.closest("a") : null;
  if (!link || !root.contains(link)) return null;
  if ((link.target && link.target !== "_self") || link.hasAttribute("download") || link.origin !== window.location.origin) return null;
  return link;
}

/**
 * The dashboard's content, with client-side navigation for the plain anchors inside it, as
 * `next/link` gives one link: a click moves without reloading the page. One listener for every
 * page keeps each row of a list free of a client component (see DataTable). Modified clicks,
 * other origins, downloads and links opening elsewhere behave as the browser's own. It lives
 * beside NavLink so that it adds no script of its own.
 *
 * The listener sits on `window`, so it runs after React's own (on the document): a handler in
 * the page that prevents the default, or a `next/link` that navigates itself, has had its say.
 */
export function SoftNavigation({ className, children }: { className?: string; children: ReactNode }) {
  const router = useRouter();
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const onClick = (event: MouseEvent) => {
      const link = ref.current && ownLink(event, ref.current);
      if (!link) return;
      event.preventDefault();
      router.push(link.pathname + link.search + link.hash);
    };
    window.addEventListener("click", onClick);
    return () => window.removeEventListener("click", onClick);
  }, [router]);
  return (
    <div ref={ref} className={className}>
      {children}
    </div>
  );
}
