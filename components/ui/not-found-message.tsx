import Link from "next/link";

/** The 404 text, inside the dashboard shell or on its own page. */
export function NotFoundMessage({ linkClassName }: { linkClassName: string }) {
  return (
    <>
      <p className="text-sm font-semibold text-slate-500">404</p>
      <h1 className="text-2xl font-semibold text-slate-900">Not found</h1>
      <p className="max-w-sm text-sm text-slate-500">It may have been deleted, or it belongs to a team you are not in.</p>
      <Link href="/" className={linkClassName}>
        Back to the dashboard
      </Link>
    </>
  );
}
