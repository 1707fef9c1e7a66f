"use client";
import { toast } from "@/components/ui/toast";
import { Button } from "@/components/ui/button";
import { formatDateTime } from "@/lib/format";

/** The one time a token is shown: the server keeps only its hash, so it cannot be shown again. */
export function NewTokenNotice({ token, name, expiresAt, onDone }: { token: string; name: string; expiresAt: Date; onDone: () => void }) {
  return (
    <div role="status" aria-live="polite" className="space-y-3 rounded-md border border-emerald-200 bg-emerald-50 p-4 text-sm">
      <p className="font-medium text-emerald-900">
        Token “{name}” created. Copy it now: it is not shown again. It expires {formatDateTime(expiresAt)}.
      </p>
      <label htmlFor="new-token" className="sr-only">
        The new token
      </label>
      <input id="new-token" readOnly value={token} onFocus={(e) => e.currentTarget.select()} className="w-full rounded-md border border-emerald-300 bg-white px-3 py-2 font-mono text-xs" />
      <div className="flex justify-end gap-2">
        <Button
          type="button"
          variant="secondary"
          size="sm"
          onClick={async () => {
            await navigator.clipboard.writeText(token);
            toast.success("Token copied");
          }}
        >
          Copy
        </Button>
        <Button type="button" size="sm" onClick={onDone}>
          Done
        </Button>
      </div>
    </div>
  );
}
