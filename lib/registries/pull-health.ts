import "server-only";
import { and, asc, eq, inArray, sql } from "drizzle-orm";
import { db, preparedQuery } from "@/db";
import { containers, environmentWatch, environments, pullHealth, type PullFailure } from "@/db/schema";

/** One environment using a registry, as the watcher last saw its pods pull. */
export type EnvironmentPullHealth = {
  environmentId: string;
  environmentName: string;
  containers: string[];
  status: "ok" | "failing" | "unknown" | "not_checked";
  since: Date | null;
  checkedAt: Date | null;
  failure: PullFailure | null;
  failingContainers: string[];
  /** Why the orchestrator could not be asked, when it did not answer the last time. */
  unreachable: string | null;
};

/** Every environment whose containers use the registry, with its pull health; team-scoped. */
export async function pullHealthOf(teamId: string, registryId: string): Promise<EnvironmentPullHealth[]> {
  const using = await db()
    .select({ environmentId: environments.id, environmentName: environments.name, container: containers.name })
    .from(containers)
    .innerJoin(environments, eq(environments.id, containers.environmentId))
    .where(and(eq(containers.teamId, teamId), eq(containers.registryId, registryId)))
    .orderBy(asc(environments.name), asc(containers.name));
  if (using.length === 0) return [];
  const ids = [...new Set(using.map((u) => u.environmentId))];
  const [health, watch] = await Promise.all([
    db()
      .select()
      .from(pullHealth)
      .where(and(eq(pullHealth.teamId, teamId), eq(pullHealth.registryId, registryId), inArray(pullHealth.environmentId, ids))),
    db().select().from(environmentWatch).where(inArray(environmentWatch.environmentId, ids)),
  ]);
  const byEnv = new Map<string, EnvironmentPullHealth>();
  for (const u of using) {
    const entry = byEnv.get(u.environmentId);
    if (entry) {
      entry.containers.push(u.container);
      continue;
    }
    const h = health.find((r) => r.environmentId === u.environmentId);
    const w = watch.find((r) => r.environmentId === u.environmentId);
    byEnv.set(u.environmentId, {
      environmentId: u.environmentId,
      environmentName: u.environmentName,
      containers: [u.container],
      status: h ? (h.status as EnvironmentPullHealth["status"]) : "not_checked",
      since: h?.since ?? null,
      checkedAt: h?.checkedAt ?? null,
      failure: h?.failure ?? null,
      failingContainers: h?.failingContainers ?? [],
      unreachable: w && w.failures > 0 ? w.lastError : null,
    });
  }
  return [...byEnv.values()];
}

/** The registries of a team whose pods fail to pull somewhere (for the registries list). */
const failingRegistries = preparedQuery((db) =>
  db
    .selectDistinct({ registryId: pullHealth.registryId })
    .from(pullHealth)
    .where(and(eq(pullHealth.teamId, sql.placeholder("teamId")), eq(pullHealth.status, "failing")))
    .prepare("failing_registries"),
);

export async function failingRegistryIds(teamId: string): Promise<Set<string>> {
  const rows = await failingRegistries().execute({ teamId });
  return new Set(rows.map((r) => r.registryId));
}
