// "Apply to N environments now" after a rotation, for a registry used in 200 Kubernetes
// environments with 20 ms added to every API request (tests/support/kube-server.ts, in a process
// of its own as a cluster's API server would be): wall time
// until every Secret is rewritten and the pull probe (against the real test registry, 7 images in
// use) is done, next to the ideal environments × requests × latency / concurrency.
//
//   npm run bench:apply [-- environments latencyMs]
//
// Uses a fresh database on the local PostgreSQL (TEST_DATABASE_ADMIN_URL), dropped afterwards.
import { benchDatabase, kubeEnvironments, kubeServerProcess } from "./bench-setup";

const [environmentCount = 200, latencyMs = 20] = process.argv.slice(2).map(Number);
const IMAGES = 7;

const { startTestRegistry } = await import("../tests/support/test-registry");
const kube = await kubeServerProcess();
const registry = await startTestRegistry({ users: { deployer: "bench-password-one-0123" } });
// The probe trusts the registry's CA as the server would.
const database = await benchDatabase("regdash_bench_apply", { LIVE_CHECK_CA_FILE: registry.caFile });

// Imported after the environment is set: the app reads it once.
const { db, dbHandle, ensureMigrated } = await import("@/db");
const { registries } = await import("@/db/schema");
const { eq } = await import("drizzle-orm");
const { signUp } = await import("@/lib/auth/accounts");
const { createRegistry, loadRow, updateRegistry } = await import("@/lib/registries/service");
const { createContainer } = await import("@/lib/containers/service");
const { registryActions } = await import("@/lib/registries/actions");
const { applyRotation, probeRegistry, APPLY_CONCURRENCY } = await import("@/lib/registries/rollout");

const ms = (n: number) => `${n.toFixed(0)} ms`;
const cpuMs = (usage: NodeJS.CpuUsage) => (usage.user + usage.system) / 1000;

try {
  await ensureMigrated();
  for (let i = 0; i < IMAGES; i++) await registry.pushImage(`team/app-${i}`, "1.0");
  const { user, team } = await signUp({ name: "Bench", email: `bench-${Date.now()}@example.test`, password: "bench-password-123" });
  const session = { userId: user.id };
  const { registryId } = await createRegistry(team, user, { type: "Custom", name: "bench registry", credentials: { url: registry.url, username: "deployer", password: "bench-password-one-0123" } });
  const environments = await kubeEnvironments(team, user, kube.kubeconfigYaml(), environmentCount);
  for (const [i, environmentId] of environments.entries()) {
    await createContainer(team, user, { environmentId, name: "app", registryId, imageName: `${registry.host}/team/app-${i % IMAGES}`, imageTag: "1.0", replicas: 1, port: 8080 });
  }
  // A first apply writes every Secret (as the deploys would have), without latency.
  const first = await applyRotation(team, user, await loadRow(team.id, registryId));
  if (first.apply.done !== environmentCount) throw new Error(JSON.stringify(first.apply.failed[0]));

  let password = 1;
  const rotate = async () => {
    password++;
    const next = `bench-password-${password}-0123456789`;
    await registry.setUser("deployer", next);
    return (await updateRegistry(team, user, await loadRow(team.id, registryId), { credentials: { password: next } })).credentialVersion;
  };

  await kube.setLatency(latencyMs);
  for (const concurrency of [1, 10, APPLY_CONCURRENCY]) {
    const version = await rotate();
    await kube.reset();
    // When the last Secret was rewritten, as the page sees it: the progress recorded on the row.
    let rewrittenAt = 0;
    let cpuToRewritten = 0;
    let polling = true;
    let cpuBefore = process.cpuUsage();
    const poller = (async () => {
      while (polling && !rewrittenAt) {
        const [row] = await db().select({ lastApply: registries.lastApply }).from(registries).where(eq(registries.id, registryId));
        const a = row?.lastApply;
        if (a && a.credentialVersion === version && a.done + a.failed.length === a.total) {
          rewrittenAt = performance.now();
          cpuToRewritten = cpuMs(process.cpuUsage(cpuBefore));
        }
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();
    const started = performance.now();
    cpuBefore = process.cpuUsage();
    // The product's own path at its own concurrency: the server action, as the button calls it.
    const result =
      concurrency === APPLY_CONCURRENCY
        ? await registryActions.apply(session, { teamSlug: team.slug, registryId }).then((r) => (r.ok ? r.data : Promise.reject(new Error(JSON.stringify(r)))))
        : await applyRotation(team, user, await loadRow(team.id, registryId), { concurrency });
    const wall = performance.now() - started;
    const cpu = process.cpuUsage(cpuBefore);
    polling = false;
    await poller;
    const { apply, probe } = result;
    if (apply.done !== environmentCount || !probe || probe.passed !== IMAGES) throw new Error(JSON.stringify({ failed: apply.failed[0], probe }));
    const perEnv = (await kube.requestCount()) / environmentCount;
    const ideal = (environmentCount * perEnv * latencyMs) / concurrency;
    console.log(
      `apply to ${environmentCount} environments, ${latencyMs} ms/request, concurrency ${concurrency}: every Secret rewritten after ${rewrittenAt ? ms(rewrittenAt - started) : "?"}, ${probe.passed} of ${probe.total} images probed and the apply done after ${ms(wall)}; ideal ${ms(ideal)} for the Secrets (${perEnv} request/environment; Secrets ${rewrittenAt ? ((rewrittenAt - started) / ideal).toFixed(2) : "?"}× ideal, apply with the probe ${(wall / ideal).toFixed(2)}×); CPU/environment in the dashboard's process: ${(cpuToRewritten / environmentCount).toFixed(2)} ms until the Secrets were rewritten, ${(cpuMs(cpu) / environmentCount).toFixed(2)} ms for the whole apply`,
    );
  }

  // The probe alone, for the share of the wall time it takes.
  const probeTimes: number[] = [];
  for (let i = 0; i < 5; i++) {
    const started = performance.now();
    const p = await probeRegistry(team, user, await loadRow(team.id, registryId), {});
    probeTimes.push(performance.now() - started);
    if (p.passed !== IMAGES) throw new Error(JSON.stringify(p.results));
  }
  console.log(`pull probe of ${IMAGES} images (token or Basic check and a manifest HEAD each, 4 at a time): median ${ms([...probeTimes].sort((a, b) => a - b)[2]!)} of 5`);
} finally {
  await kube.close();
  await registry.stop();
  await dbHandle().close();
  await database.drop();
}
