import { Container } from "lucide-react";

export default function AuthLayout({ children }: { children: React.ReactNode }) {
  return (
    <main id="main" tabIndex={-1} className="flex min-h-screen flex-col items-center justify-center px-4 py-12 focus:outline-none">
      <div className="mb-8 flex items-center gap-2 text-lg font-semibold">
        <Container className="h-6 w-6" aria-hidden /> Dockyard
      </div>
      <div className="w-full max-w-sm">{children}</div>
    </main>
  );
}
