// The pull-health watcher's cost per environment per tick: 200 Kubernetes environments, each
// with one private container (pull secret written, Deployment and its pod Running on the
// simulated node), 20 ms added to every API request. Prints the API requests per environment, the
// CPU milliseconds per environment (this process: the app and the in-process API test server) and
// the wall time of one tick next to the ideal environments × requests × latency / concurrency.
//
//   npm run bench:watch [-- environments latencyMs]
import { benchDatabase, kubeEnvironments } from "./bench-setup";

const [environmentCount = 200, latencyMs = 20] = process.argv.slice(2).map(Number);
const IMAGE_HOST = "registry.bench.example:5000";

const { startKubeServer } = await import("../tests/support/kube-server");
const { startKubelet } = await import("../tests/support/kubelet");
const kube = await startKubeServer();
// The node holds the image already: no pull is timed, only what the watcher reads.
const kubelet = startKubelet(kube, { images: [`${IMAGE_HOST}/team/app:1.0`] });
const database = await benchDatabase("regdash_bench_watch");

const { dbHandle, ensureMigrated } = await import("@/db");
const { signUp } = await import("@/lib/auth/accounts");
const { createRegistry, loadRow } = await import("@/lib/registries/service");
const { createContainer } = await import("@/lib/containers/service");
const { applyRotation } = await import("@/lib/registries/rollout");
const { watchPullHealth } = await import("@/lib/containers/watch-job");
const { kubeClients, upsertDeployment } = await import("@/lib/deploy/kubernetes");
const { deploymentManifest, namespaceOf, pullSecretName } = await import("@/lib/deploy/manifests");

const CONCURRENCY = 10;

const ms = (n: number) => `${n.toFixed(0)} ms`;

try {
  await ensureMigrated();
  const { user, team } = await signUp({ name: "Bench", email: `bench-${Date.now()}@example.test`, password: "bench-password-123" });
  const { registryId } = await createRegistry(team, user, { type: "Custom", name: "bench registry", credentials: { url: `https://${IMAGE_HOST}`, username: "deployer", password: "bench-password-0123456789" } });
  const environments = await kubeEnvironments(team, user, kube.kubeconfigYaml(), environmentCount);
  const containerIds: string[] = [];
  for (const environmentId of environments) {
    const { containerId } = await createContainer(team, user, { environmentId, name: "app", registryId, imageName: `${IMAGE_HOST}/team/app`, imageTag: "1.0", replicas: 1, port: null });
    containerIds.push(containerId);
  }
  // What the deploys would have left: a pull secret (and its namespace) and a Deployment whose pod runs.
  const registry = await loadRow(team.id, registryId);
  // (Its pull probe finds no such registry host here; only the Secrets matter.)
  const first = await applyRotation(team, user, registry);
  if (first.apply.done !== environmentCount) throw new Error(JSON.stringify(first.apply.failed[0]));
  const k = kubeClients({ kubeconfig: kube.kubeconfigYaml() });
  for (const [i, id] of containerIds.entries()) {
    await upsertDeployment(
      k,
      deploymentManifest({
        namespace: namespaceOf(`bench-${i}`),
        container: { id, name: "app", replicas: 1, port: null, restartedAt: null },
        image: `${IMAGE_HOST}/team/app:1.0`,
        pullSecret: pullSecretName(registry),
      }),
    );
  }
  const running = () => kube.list("pods").filter((p) => p.status?.phase === "Running").length;
  for (const deadline = Date.now() + 120_000; running() < environmentCount; ) {
    if (Date.now() > deadline) throw new Error(`only ${running()} of ${environmentCount} pods running`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }

  kube.setLatency(latencyMs);
  let now = Date.now();
  for (let round = 1; round <= 3; round++) {
    kube.reset();
    now += 3600_000; // every environment due
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    const run = await watchPullHealth({ now: new Date(now), concurrency: CONCURRENCY });
    const wall = performance.now() - started;
    const cpu = process.cpuUsage(cpuBefore);
    if (run.environments !== environmentCount || run.unreachable > 0) throw new Error(JSON.stringify(run));
    const perEnv = kube.requests.length / environmentCount;
    const ideal = (environmentCount * perEnv * latencyMs) / CONCURRENCY;
    console.log(
      `watcher tick ${round} over ${environmentCount} environments (${latencyMs} ms/request, ${CONCURRENCY} at a time): ${perEnv.toFixed(1)} API requests/environment, ${((cpu.user + cpu.system) / 1000 / environmentCount).toFixed(2)} ms CPU/environment (app and API test server in this process), wall ${ms(wall)} (ideal ${ms(ideal)}, ${(wall / ideal).toFixed(2)}×); repaired ${run.repaired}, failing ${run.failing}`,
    );
  }
} finally {
  await kubelet.stop();
  await kube.close();
  await dbHandle().close();
  await database.drop();
}
