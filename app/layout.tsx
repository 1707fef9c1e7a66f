import type { Metadata } from "next";
import { connection } from "next/server";
import { CircleAlert, CircleCheck, TriangleAlert, X } from "lucide-react";
import { Toaster } from "@/components/ui/toast";
import "./globals.css";

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
        <Toaster
          icons={{
            success: <CircleCheck className="h-4 w-4 shrink-0" aria-hidden />,
            error: <CircleAlert className="h-4 w-4 shrink-0" aria-hidden />,
            warning: <TriangleAlert className="h-4 w-4 shrink-0" aria-hidden />,
            close: <X className="h-3 w-3" aria-hidden />,
          }}
        />
      </body>
    </html>
  );
}
