"use client";

import { useEffect, useRef, type ReactNode } from "react";
import { useRouter } from "next/navigation";

/** The same-origin link an event concerns, when the browser would follow it in this tab. */
function followedLink(event: MouseEvent): HTMLAnchorElement | null {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return null;
  const link = event.target instanceof Element ? event.target.closest("a") : null;
  if (!link || link.target || link.hasAttribute("download") || link.origin !== window.location.origin) return null;
  return link;
}

/**
 * Client-side navigation for the plain anchors inside it, as `next/link` gives one link: a click
 * moves without reloading the page, and pointing at a link prefetches its route. One listener for
 * a whole list keeps each row free of a client component (see DataTable). Modified clicks, other
 * origins and `target`ed links behave as the browser's own.
 */
export function SoftNavigation({ children }: { children: ReactNode }) {
  const router = useRouter();
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const root = ref.current;
    if (!root) return;
    const prefetched = new Set<string>();
    const onClick = (event: MouseEvent) => {
      const link = followedLink(event);
      if (!link) return;
      event.preventDefault();
      router.push(link.pathname + link.search + link.hash);
    };
    const onPoint = (event: Event) => {
      const link = event.target instanceof Element ? event.target.closest("a") : null;
      if (!link || link.origin !== window.location.origin || prefetched.has(link.pathname)) return;
      prefetched.add(link.pathname);
      router.prefetch(link.pathname + link.search);
    };
    root.addEventListener("click", onClick);
    root.addEventListener("pointerover", onPoint);
    root.addEventListener("focusin", onPoint);
    return () => {
      root.removeEventListener("click", onClick);
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
