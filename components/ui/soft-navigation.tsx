"use client";

import { useEffect, useRef, type ReactNode } from "react";
import { useRouter } from "next/navigation";

/** The link an event concerns inside `root`, when it is one this page may follow itself: same origin, this tab, not a download. */
function ownLink(event: Event, root: HTMLElement): HTMLAnchorElement | null {
  const link = event.target instanceof Element ? event.target.closest("a") : null;
  if (!link || !root.contains(link)) return null;
  if ((link.target && link.target !== "_self") || link.hasAttribute("download") || link.origin !== window.location.origin) return null;
  return link;
}

/**
 * Client-side navigation for the plain anchors inside it, as `next/link` gives one link: a click
 * moves without reloading the page, and pointing at a link prefetches its route. One listener for
 * a whole list keeps each row free of a client component (see DataTable). Modified clicks, other
 * origins, downloads and links opening elsewhere behave as the browser's own.
 *
 * The click listener sits on `window`, so it runs after React's own (on the document): a handler
 * in a cell that prevents the default, or a `next/link` that navigates itself, has had its say.
 */
export function SoftNavigation({ children }: { children: ReactNode }) {
  const router = useRouter();
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const root = ref.current;
    if (!root) return;
    const prefetched = new Set<string>();
    const onClick = (event: MouseEvent) => {
      if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
      const link = ownLink(event, root);
      if (!link) return;
      event.preventDefault();
      router.push(link.pathname + link.search + link.hash);
    };
    const onPoint = (event: Event) => {
      const link = ownLink(event, root);
      if (!link || prefetched.has(link.pathname + link.search)) return;
      prefetched.add(link.pathname + link.search);
      router.prefetch(link.pathname + link.search);
    };
    window.addEventListener("click", onClick);
    root.addEventListener("pointerover", onPoint);
    root.addEventListener("focusin", onPoint);
    return () => {
      window.removeEventListener("click", onClick);
      root.removeEventListener("pointerover", onPoint);
      root.removeEventListener("focusin", onPoint);
    };
  }, [router]);
  return (
    <div ref={ref} className="contents">
      {children}
    </div>
  );
}
