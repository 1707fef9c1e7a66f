import { NotFoundMessage } from "@/components/ui/not-found-message";

/** Inside the dashboard shell: the navigation stays, so the way back is obvious. */
export default function TeamNotFound() {
  return (
    <div className="flex flex-col items-center gap-3 py-20 text-center">
      <NotFoundMessage linkClassName="text-sm font-medium text-slate-900 underline" />
    </div>
  );
}
