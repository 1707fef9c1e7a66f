import Link from "next/link";

export default function NotFound() {
  return (
    <main className="flex min-h-screen flex-col items-center justify-center gap-3 px-6 text-center">
      <p className="text-sm font-semibold text-slate-500">404</p>
      <h1 className="text-2xl font-semibold text-slate-900">Not found</h1>
      <p className="max-w-sm text-sm text-slate-500">It may have been deleted, or it belongs to a team you are not in.</p>
      <Link href="/" className="mt-2 inline-flex h-10 items-center rounded-md bg-slate-900 px-4 text-sm font-medium text-white hover:bg-slate-700">
        Back to the dashboard
      </Link>
    </main>
  );
}
