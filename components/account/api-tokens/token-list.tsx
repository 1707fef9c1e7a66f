"use client";
import { toast } from "@/components/ui/toast";
import { revokeTokenAction } from "@/app/_actions/api-tokens";
import type { TokenListItem } from "@/lib/api-tokens/tokens";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { DataTable } from "@/components/ui/data-table";
import { formatDateTime } from "@/lib/format";

function stateOf(token: TokenListItem, now: Date): "active" | "expired" | "revoked" {
  if (token.revokedAt) return "revoked";
  return token.expiresAt <= now ? "expired" : "active";
}

export function TokenList({ tokens, now }: { tokens: TokenListItem[]; now: Date }) {
  if (tokens.length === 0) return <p className="px-5 py-4 text-sm text-slate-600">No tokens yet.</p>;
  return (
    <DataTable
      caption="Your API tokens"
      rows={tokens}
      rowKey={(t) => t.id}
      rowTestId={(t) => `token-${t.id}`}
      columns={[
        {
          header: "Name",
          primary: true,
          cell: (t) => (
            <>
              <span className="font-medium">{t.name}</span> <span className="font-mono text-xs text-slate-500">{t.prefix}…</span>
            </>
          ),
        },
        { header: "Team and role", cell: (t) => `${t.team.name} · ${t.role}` },
        { header: "Expires", cell: (t) => formatDateTime(t.expiresAt) },
        { header: "Last used", cell: (t) => (t.lastUsedAt ? formatDateTime(t.lastUsedAt) : "Never") },
        {
          header: "State",
          cell: (t) => {
            const state = stateOf(t, now);
            if (state !== "active") return <span className="text-slate-500">{state === "revoked" ? `Revoked ${formatDateTime(t.revokedAt)}` : "Expired"}</span>;
            return (
              <ConfirmDialog
                size="sm"
                trigger="Revoke"
                triggerLabel={`Revoke the token ${t.name}`}
                title={`Revoke the token “${t.name}”?`}
                description="Requests with it are refused at once. What uses it needs a new token."
                confirmLabel="Revoke token"
                onConfirm={async () => {
                  const result = await revokeTokenAction({ tokenId: t.id });
                  if (!result.ok) return result.error;
                  toast.success(`Token ${t.name} revoked`);
                }}
              />
            );
          },
        },
      ]}
    />
  );
}
