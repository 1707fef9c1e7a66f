import type { Metadata } from "next";
import { connection } from "next/server";
import { Toaster } from "sonner";
import type { CSSProperties } from "react";
import "./globals.css";

/** Sonner's own variables, set on the toaster: Tailwind's 800 shades (emerald, red, amber, blue). */
const TOAST_TEXT = { "--success-text": "#065f46", "--error-text": "#991b1b", "--warning-text": "#92400e", "--info-text": "#1e40af" } as CSSProperties;

export const metadata: Metadata = {
  title: { default: "Dockyard", template: "%s · Dockyard" },
  description: "Private container-registry credentials for every deployment, on every orchestrator.",
};

export default async function RootLayout({ children }: { children: React.ReactNode }) {
  // Every page is rendered per request, so Next.js can put that request's CSP nonce (proxy.ts) on its scripts.
  await connection();
  return (
    <html lang="en">
      <body className="min-h-screen">
        {/* Every page's <main> is #main: keyboard users skip the navigation with the first Tab. */}
        <a
          href="#main"
          className="sr-only z-50 rounded-md bg-slate-900 px-4 py-2 text-sm font-medium text-white focus:not-sr-only focus:fixed focus:left-4 focus:top-4"
        >
          Skip to content
        </a>
        {children}
        {/* Sonner's rich colours put 13px text at about 4.2:1 on its tints; darker text meets WCAG AA's 4.5:1. */}
        <Toaster position="bottom-right" richColors closeButton style={TOAST_TEXT} />
      </body>
    </html>
  );
}
