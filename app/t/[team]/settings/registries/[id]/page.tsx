import type { Metadata } from "next";
import Link from "next/link";
import { requireTeam } from "@/lib/auth/session";
import { exportShape, getRegistry, listAudit } from "@/lib/registries/service";
import { deleteRefusal, updateRefusal } from "@/lib/registries/permissions";
import { isAnonymous, typeDef } from "@/lib/registries/catalog";
import { verdictOf } from "@/lib/registries/test-verdict";
import { registryDocumentYaml } from "@/lib/registries/import-export";
import { orNotFound } from "@/lib/not-found";
import { formatDateTime } from "@/lib/format";
import { Badge } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { CardHeader } from "@/components/ui/card-header";
import { RegistryActions } from "@/components/registries/registry-actions";
import { RolloutPanel } from "@/components/registries/rollout-panel";
import { rolloutOf } from "@/lib/registries/rollout";
import { PullHealth } from "@/components/registries/pull-health";
import { pullHealthOf } from "@/lib/registries/pull-health";

export const metadata: Metadata = { title: "Registry" };

const AUDIT_LABELS: Record<string, string> = {
  "registry.created": "Created",
  "registry.updated": "Updated",
  "registry.rotated": "Credentials rotated",
  "registry.tested": "Tested",
  "registry.deleted": "Deleted",
  "registry.credentials_refreshed": "Token refreshed",
  "registry.applied": "Applied to environments",
  "registry.drift_repaired": "Drift repaired",
};

function auditDetail(action: string, details: Record<string, unknown>): string {
  const fields = Array.isArray(details.fields) ? (details.fields as string[]) : [];
  if (action === "registry.tested") return String(details.message ?? (details.ok ? "valid" : "failed"));
  if (action === "registry.rotated") return `${fields.join(", ")} → version ${String(details.credentialVersion ?? "")}`;
  if (action === "registry.updated") return fields.length ? `changed ${fields.join(", ")}` : "";
  if (action === "registry.credentials_refreshed") return details.ok ? `renewed in ${String(details.refreshed)} place(s)` : "failed: see Token refresh above";
  if (action === "registry.applied") {
    const failed = Array.isArray(details.failed) ? (details.failed as string[]) : [];
    const probe = details.probe as { passed?: number; total?: number } | undefined;
    return `version ${String(details.credentialVersion ?? "")} to ${String(details.done ?? 0)} of ${String(details.total ?? 0)} environment(s)${failed.length ? `; failed in ${failed.join(", ")}` : ""}${probe ? `; pulls ${String(probe.passed)} of ${String(probe.total)} image(s)` : ""}`;
  }
  if (action === "registry.drift_repaired") {
    const at = typeof details.restoredAt === "string" ? formatDateTime(new Date(details.restoredAt)) : "";
    return `${String(details.environment ?? "")}: ${String(details.what ?? "")}; restored${at ? ` at ${at}` : ""}`;
  }
  if (action === "registry.created") return `${String(details.type ?? "")} “${String(details.name ?? "")}”`;
  return "";
}

export default async function RegistryPage({ params }: { params: Promise<{ team: string; id: string }> }) {
  const { team: slug, id } = await params;
  const { user, team, role } = await requireTeam(slug);
  const registry = await orNotFound(getRegistry(team.id, id));
  const def = typeDef(registry.type);
  const anonymous = isAnonymous(registry.type);
  const lastTest = registry.lastTest ? verdictOf(registry.lastTest) : undefined;
  const ownership = { createdBy: registry.createdBy?.id ?? null, creator: registry.createdBy };
  const mayUpdate = updateRefusal(ownership, user, role) === null;
  const deleteRefused = deleteRefusal(ownership, user, role);
  const [audit, rollout, health] = await Promise.all([
    listAudit(team.id, registry.id),
    anonymous ? null : rolloutOf(team.id, registry.id),
    anonymous ? [] : pullHealthOf(team.id, registry.id),
  ]);
  const base = `/t/${team.slug}/settings/registries`;

  return (
    <div className="space-y-6">
      <header className="flex flex-wrap items-end justify-between gap-4">
        <div>
          <Link href={base} className="text-sm text-slate-500 hover:underline">
            ← Container Registries
          </Link>
          <h1 className="mt-2 text-2xl font-semibold">{registry.name}</h1>
          <p className="mt-1 text-sm text-slate-500">
            {registry.typeLabel} · <span className="font-mono">{registry.serverHost}</span>
          </p>
        </div>
        <RegistryActions
          teamSlug={team.slug}
          registryId={registry.id}
          registryName={registry.name}
          editHref={`${base}/${registry.id}/edit`}
          editLabel={anonymous ? "Edit" : "Edit / rotate"}
          mayUpdate={mayUpdate}
          deleteRefusal={deleteRefused}
          inUseBy={registry.containerCount}
          exportYaml={registryDocumentYaml(exportShape(registry))}
        />
      </header>

      <Card>
        <CardHeader title="Details" description="Secret values are stored encrypted and never shown after saving." />
        <dl className="grid gap-x-6 gap-y-4 p-5 text-sm sm:grid-cols-2">
          {Object.entries(def.fields).map(([name, field]) => (
            <div key={name}>
              <dt className="text-xs font-medium uppercase tracking-wide text-slate-500">{field.label}</dt>
              <dd className="mt-1 break-all font-mono text-slate-800">
                {registry.secretFields.includes(name) ? <span className="text-slate-600">•••••••• (saved)</span> : (registry.visibleFields[name] ?? "—")}
              </dd>
            </div>
          ))}
          <div>
            <dt className="text-xs font-medium uppercase tracking-wide text-slate-500">Credential version</dt>
            <dd className="mt-1 text-slate-800">{registry.credentialVersion}</dd>
          </div>
          <div>
            <dt className="text-xs font-medium uppercase tracking-wide text-slate-500">Created</dt>
            <dd className="mt-1 text-slate-800">
              {formatDateTime(registry.createdAt)} by {registry.createdBy?.name ?? "a former member"}
            </dd>
          </div>
          <div>
            <dt className="text-xs font-medium uppercase tracking-wide text-slate-500">Updated</dt>
            <dd className="mt-1 text-slate-800">{formatDateTime(registry.updatedAt)}</dd>
          </div>
          <div>
            <dt className="text-xs font-medium uppercase tracking-wide text-slate-500">Last test</dt>
            <dd className="mt-1 text-slate-800" data-testid="last-test">
              {lastTest ? (
                <>
                  <Badge tone={lastTest.tone}>{lastTest.label}</Badge> {formatDateTime(registry.lastTestAt)} — {lastTest.message}
                </>
              ) : (
                "never tested"
              )}
            </dd>
          </div>
          {registry.lastRefresh && (
            <div>
              <dt className="text-xs font-medium uppercase tracking-wide text-slate-500">Token refresh</dt>
              <dd className="mt-1 text-slate-800" data-testid="last-refresh">
                <Badge tone={registry.lastRefresh.ok ? "green" : "red"}>{registry.lastRefresh.ok ? "ok" : "failed"}</Badge> {formatDateTime(registry.lastRefresh.at)} —{" "}
                {registry.lastRefresh.ok
                  ? `renewed in ${registry.lastRefresh.refreshed} place${registry.lastRefresh.refreshed === 1 ? "" : "s"}${registry.lastRefresh.expiresAt ? `, valid until ${formatDateTime(registry.lastRefresh.expiresAt)}` : ""}`
                  : registry.lastRefresh.failed.map((f) => `${f.where}: ${f.message}`).join("; ")}
              </dd>
            </div>
          )}
          <div>
            <dt className="text-xs font-medium uppercase tracking-wide text-slate-500">Used by</dt>
            <dd className="mt-1 text-slate-800">
              {registry.containerCount} container{registry.containerCount === 1 ? "" : "s"}
            </dd>
          </div>
        </dl>
      </Card>

      {rollout && (
        <RolloutPanel teamSlug={team.slug} initial={rollout} mayApply={mayUpdate} applyRefusal="Only the registry's creator or a team owner or admin can apply its credentials to every environment." />
      )}

      {!anonymous && <PullHealth health={health} teamSlug={team.slug} />}

      <Card>
        <CardHeader title="History" description="Who did what, and when. Values are never recorded." />
        <ol className="divide-y divide-slate-50" data-testid="audit-history">
          {audit.map((e) => (
            <li key={e.id} className="flex flex-wrap items-baseline gap-x-3 px-5 py-2.5 text-sm">
              <span className="font-medium text-slate-900">{AUDIT_LABELS[e.action] ?? e.action}</span>
              <span className="text-slate-600">{auditDetail(e.action, e.details)}</span>
              <span className="ml-auto text-xs text-slate-600">
                {e.actorName ?? (e.action === "registry.credentials_refreshed" ? "refresh job" : "former member")} · {formatDateTime(e.at)}
              </span>
            </li>
          ))}
        </ol>
      </Card>
    </div>
  );
}
