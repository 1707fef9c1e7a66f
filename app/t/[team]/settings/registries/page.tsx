import type { Metadata } from "next";
import Link from "next/link";
import { KeyRound, Plus, Search } from "lucide-react";
import { requireTeam } from "@/lib/auth/session";
import { listRegistrySummaries } from "@/lib/registries/service";
import { failingRegistryIds } from "@/lib/registries/pull-health";
import { verdictOf } from "@/lib/registries/test-verdict";
import { formatDateTime } from "@/lib/format";
import { badgeMarkup } from "@/components/ui/badge";
import { html } from "@/lib/html";
import { Card, EmptyState } from "@/components/ui/card";
import { Input } from "@/components/ui/input";
import { DataTable } from "@/components/ui/data-table";

export const metadata: Metadata = { title: "Container Registries" };

const buttonClass = "inline-flex h-10 items-center gap-2 rounded-md bg-slate-900 px-4 text-sm font-medium text-white hover:bg-slate-700";

export default async function RegistriesPage({
  params,
  searchParams,
}: {
  params: Promise<{ team: string }>;
  searchParams: Promise<{ q?: string; page?: string }>;
}) {
  const { team } = await requireTeam((await params).team);
  const { q, page: pageParam } = await searchParams;
  const search = (q ?? "").slice(0, 100).trim();
  const page = Math.max(1, Number.parseInt(pageParam ?? "1", 10) || 1);
  const [{ items, total, pageSize }, failing] = await Promise.all([listRegistrySummaries(team.id, { search, page }), failingRegistryIds(team.id)]);
  const base = `/t/${team.slug}/settings/registries`;
  const pages = Math.max(1, Math.ceil(total / pageSize));
  const pageHref = (p: number) => `${base}?${new URLSearchParams({ ...(search ? { q: search } : {}), page: String(p) })}`;

  return (
    <div className="space-y-6">
      <header className="flex flex-wrap items-end justify-between gap-4">
        <div>
          <h1 className="text-2xl font-semibold">Container Registries</h1>
          <p className="mt-1 text-sm text-slate-500">Credentials {team.name} pulls private images with. Saved encrypted; never shown again.</p>
        </div>
        <Link href={`${base}/new`} className={buttonClass}>
          <Plus className="h-4 w-4" aria-hidden /> Add registry
        </Link>
      </header>

      <form role="search" action={base} className="flex max-w-sm items-center gap-2">
        <label htmlFor="registry-search" className="sr-only">
          Search registries by name
        </label>
        <div className="relative flex-1">
          <Search className="pointer-events-none absolute left-3 top-3 h-4 w-4 text-slate-400" aria-hidden />
          <Input id="registry-search" name="q" defaultValue={search} placeholder="Search by name" className="pl-9" />
        </div>
        <button type="submit" className="inline-flex h-10 items-center rounded-md border border-slate-300 bg-white px-3 text-sm font-medium text-slate-900 hover:bg-slate-50">
          Search
        </button>
      </form>

      <Card>
        {items.length === 0 ? (
          search ? (
            <EmptyState level={2} icon={<Search className="h-8 w-8" />} title={`No registry matches “${search}”`}>
              <Link href={base} className="underline">
                Show all registries
              </Link>
            </EmptyState>
          ) : (
            <EmptyState
              level={2}
              icon={<KeyRound className="h-8 w-8" />}
              title="No registries yet"
              action={
                <Link href={`${base}/new`} className={buttonClass}>
                  <Plus className="h-4 w-4" aria-hidden /> Add registry
                </Link>
              }
            >
              Save a registry&apos;s credentials once; every container deployed from its images gets them.
            </EmptyState>
          )
        ) : (
          <DataTable
            caption="Container registries"
            rows={items}
            rowKey={(r) => r.id}
            rowTestId={(r) => `registry-row-${r.name}`}
            columns={[
              {
                header: "Name",
                primary: true,
                markup: (r) =>
                  html`<a href="${base}/${r.id}" class="title">${r.name}</a><div class="note">${r.typeLabel}</div>${
                    failing.has(r.id) && html`<a href="${base}/${r.id}#pull-health" class="mt-1 inline-block">${badgeMarkup("red", "Pull failing")}</a>`
                  }`,
              },
              { header: "Server", markup: (r) => html`<span class="note font-mono wrap-anywhere">${r.serverHost}</span>` },
              { header: "Created by", markup: (r) => html`<span class="text-slate-600">${r.createdBy ? `${r.createdBy.name}${r.createdBy.inTeam ? "" : " (left the team)"}` : "former member"}</span>` },
              {
                header: "Updated",
                optional: true,
                markup: (r) =>
                  html`<span class="note">${formatDateTime(r.updatedAt)} · credentials v${r.credentialVersion}<span class="block text-slate-500">created ${formatDateTime(r.createdAt)}</span></span>`,
              },
              {
                header: "Last test",
                markup: (r) => {
                  if (!r.lastTest) return html`<span class="note">never</span>`;
                  const verdict = verdictOf(r.lastTest);
                  return html`<span title="${verdict.message}">${badgeMarkup(verdict.tone, verdict.label)}<span class="block text-xs text-slate-500">${formatDateTime(r.lastTestAt)}</span></span>`;
                },
              },
              { header: "Containers", numeric: true, markup: (r) => html`<span class="text-slate-600">${r.containerCount}</span>` },
            ]}
          />
        )}
      </Card>

      {total > pageSize && (
        <nav aria-label="Pagination" className="flex items-center justify-between text-sm text-slate-600">
          <span>
            {(page - 1) * pageSize + 1}–{Math.min(page * pageSize, total)} of {total}
          </span>
          <span className="flex gap-2">
            {page > 1 && (
              <Link href={pageHref(page - 1)} className="rounded-md border border-slate-300 bg-white px-3 py-1.5 hover:bg-slate-50">
                Previous
              </Link>
            )}
            {page < pages && (
              <Link href={pageHref(page + 1)} className="rounded-md border border-slate-300 bg-white px-3 py-1.5 hover:bg-slate-50">
                Next
              </Link>
            )}
          </span>
        </nav>
      )}
    </div>
  );
}
