import "server-only";
import { and, eq, inArray } from "drizzle-orm";
import { db } from "@/db";
import { environments, pullSecrets, registries } from "@/db/schema";
import { notFound } from "@/lib/errors";
import { refreshPullSecret, refreshSwarmService, type DeployDeps } from "@/lib/deploy";
import { DockerError } from "@/lib/deploy/docker";
import { KubeError } from "@/lib/deploy/kubernetes";
import { namespaceOf } from "@/lib/deploy/manifests";
import { targetOf } from "@/lib/environments/service";
import { pullCredentialsFor, type CredentialDeps } from "./credentials";

export type RefreshOutcome = { refreshed: string[]; failed: { namespace: string; message: string }[]; expiresAt: Date | null };

/** Runs `work` over `items` with at most `limit` in flight. */
export async function pool<T>(items: T[], limit: number, work: (item: T) => Promise<void>) {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await work(items[next++]!);
  });
  await Promise.all(lanes);
}

/**
 * Rewrites a registry's pull secret in every namespace the platform wrote it to, with fresh
 * credentials (one ECR token exchange for all of them). Used to renew ECR tokens before they
 * expire; running pods are untouched, the next pull reads the new Secret.
 */
export async function refreshPullSecrets(teamId: string, registryId: string, deps: DeployDeps & CredentialDeps & { concurrency?: number } = {}): Promise<RefreshOutcome> {
  const [reg] = await db()
    .select()
    .from(registries)
    .where(and(eq(registries.id, registryId), eq(registries.teamId, teamId)));
  if (!reg) throw notFound("Registry");
  const written = await db()
    .select({ environment: environments, place: pullSecrets })
    .from(pullSecrets)
    .innerJoin(environments, eq(environments.id, pullSecrets.environmentId))
    .where(and(eq(pullSecrets.registryId, reg.id), eq(pullSecrets.teamId, teamId)));
  const credentials = await pullCredentialsFor(reg, deps);
  const outcome: RefreshOutcome = { refreshed: [], failed: [], expiresAt: credentials?.expiresAt ?? null };
  if (!credentials || written.length === 0) return outcome;

  const registryRef = { id: reg.id, type: reg.type, name: reg.name, credentialVersion: reg.credentialVersion };
  const done: { environmentId: string; secretName: string }[] = [];
  await pool(written, deps.concurrency ?? 10, async ({ environment, place }) => {
    const target = targetOf(environment);
    const where = place.orchestrator === "swarm" ? `service ${place.secretName}` : namespaceOf(environment.slug);
    try {
      if (target.orchestrator === "kubernetes") await refreshPullSecret(target, { environment, registry: registryRef, credentials }, deps);
      else if (target.orchestrator === "swarm") await refreshSwarmService(target, { name: place.secretName, loginServer: place.namespace }, credentials, deps);
      else return;
      outcome.refreshed.push(where);
      done.push({ environmentId: environment.id, secretName: place.secretName });
    } catch (err) {
      if (!(err instanceof KubeError) && !(err instanceof DockerError)) throw err;
      outcome.failed.push({ namespace: where, message: err.message });
    }
  });
  if (done.length > 0) {
    await db()
      .update(pullSecrets)
      .set({ credentialVersion: reg.credentialVersion, expiresAt: credentials.expiresAt ?? null, updatedAt: new Date() })
      .where(and(eq(pullSecrets.registryId, reg.id), inArray(pullSecrets.environmentId, done.map((d) => d.environmentId)), inArray(pullSecrets.secretName, done.map((d) => d.secretName))));
  }
  return outcome;
}
