import Link from "next/link";

/** Inside the dashboard shell: the navigation stays, so the way back is obvious. */
export default function TeamNotFound() {
  return (
    <div className="flex flex-col items-center gap-3 py-20 text-center">
      <p className="text-sm font-semibold text-slate-500">404</p>
      <h1 className="text-2xl font-semibold text-slate-900">Not found</h1>
      <p className="max-w-sm text-sm text-slate-500">It may have been deleted, or it belongs to a team you are not in.</p>
      <Link href="/" className="text-sm font-medium text-slate-900 underline">
        Back to the dashboard
      </Link>
    </div>
  );
}
