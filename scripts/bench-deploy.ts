// Deploy-module figures on the Kubernetes test server (tests/support/kube-server.ts):
//  1. one deploy end to end (action → namespace check, Secret and Deployment written, rollout read
//     back until the simulated kubelet reports the pod ready): median of 50;
//  2. refreshing one registry's pull secret in 200 environments with 20 ms added per request:
//     wall time and requests per environment, next to the ideal 200 × requests × 20 ms / concurrency;
//  3. the ECR refresh job over 200 ECR-backed environments at the same latency (token exchange
//     against the fake ECR in tests/support/ecr-server.ts).
//
//   npm run bench:deploy [-- environments latencyMs]
//
// Uses a fresh database on the local PostgreSQL (TEST_DATABASE_ADMIN_URL), dropped afterwards.
import { benchDatabase, kubeEnvironments } from "./bench-setup";

const [environmentCount = 200, latencyMs = 20] = process.argv.slice(2).map(Number);
const database = await benchDatabase("regdash_bench_deploy");

// Imported after the environment is set: the app reads it once.
const { dbHandle, ensureMigrated } = await import("@/db");
const { signUp } = await import("@/lib/auth/accounts");
const { createRegistry, loadRow, updateRegistry } = await import("@/lib/registries/service");
const { createContainer } = await import("@/lib/containers/service");
const { runDeployment, waitForDeployment } = await import("@/lib/containers/deployments");
const { containerActions } = await import("@/lib/containers/actions");
const { refreshPullSecrets } = await import("@/lib/containers/refresh");
const { refreshExpiringCredentials } = await import("@/lib/containers/refresh-job");
const { EXAMPLE_CREDENTIALS } = await import("@/lib/registries/examples");
const { startKubeServer } = await import("../tests/support/kube-server");
const { startKubelet } = await import("../tests/support/kubelet");
const { startEcrServer } = await import("../tests/support/ecr-server");

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const p95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.ceil(xs.length * 0.95) - 1]!;
const ms = (n: number) => `${n.toFixed(1)} ms`;

const kube = await startKubeServer();
// The images live on no real registry: the simulated node holds them already, so no pull is timed.
const APP_IMAGE = "registry.bench.example:5000/team/app:1.0";
const WORKER_IMAGE = "123456789012.dkr.ecr.eu-central-1.amazonaws.com/team/worker:1.0";
const kubelet = startKubelet(kube, { images: [APP_IMAGE, WORKER_IMAGE] });
const { accessKeyId = "", secretAccessKey = "" } = EXAMPLE_CREDENTIALS.ECR;
const ecr = await startEcrServer({ accessKeyId, secretAccessKey, proxyEndpoint: "https://123456789012.dkr.ecr.eu-central-1.amazonaws.com" });
try {
  await ensureMigrated();
  const { user, team } = await signUp({ name: "Bench", email: `bench-${Date.now()}@example.test`, password: "bench-password-123" });
  const { registryId } = await createRegistry(team, user, {
    type: "Custom",
    name: "bench registry",
    credentials: { url: "https://registry.bench.example:5000", username: "deployer", password: "bench-registry-password-1" },
  });
  const envs = (await kubeEnvironments(team, user, kube.kubeconfigYaml(), environmentCount)).map((id) => ({ id }));
  const containers: string[] = [];
  for (const env of envs) {
    const { containerId } = await createContainer(team, user, { environmentId: env.id, name: "app", registryId, imageName: "registry.bench.example:5000/team/app", imageTag: "1.0", replicas: 1, port: 8080 });
    containers.push(containerId);
  }

  // 1. One deploy end to end, no added latency: first deploys (create) and redeploys (replace).
  const times: number[] = [];
  for (const containerId of containers) {
    const started = performance.now();
    const r = await runDeployment(team, user, { containerId, action: "deploy" });
    if (r.status !== "succeeded") throw new Error(r.message);
    times.push(performance.now() - started);
  }
  kube.reset();
  // Through the server action: session → membership → parse → deploy → record.
  const redeploy: number[] = [];
  for (const containerId of containers.slice(0, 50)) {
    const started = performance.now();
    const r = await containerActions.deploy({ userId: user.id }, { teamSlug: team.slug, containerId });
    if (!r.ok) throw new Error(JSON.stringify(r));
    const done = await waitForDeployment(team.id, r.data.deploymentId);
    if (done.status !== "succeeded") throw new Error(done.message);
    redeploy.push(performance.now() - started);
  }
  const requestsPerRedeploy = kube.requests.length / 50;
  console.log(`deploy end to end (${environmentCount} first deploys): median ${ms(median(times))}, p95 ${ms(p95(times))}`);
  console.log(`deploy action on an existing container (50): median ${ms(median(redeploy))}, p95 ${ms(p95(redeploy))}, ${requestsPerRedeploy} API requests each (writes and rollout reads)`);

  // 2. Refresh after a rotation, with latency on every API request.
  kube.setLatency(latencyMs);
  for (const concurrency of [1, 10, 20]) {
    await updateRegistry(team, user, await loadRow(team.id, registryId), { credentials: { password: `rotated-password-${concurrency}-0123456789` } });
    kube.reset();
    const started = performance.now();
    const outcome = await refreshPullSecrets(team.id, registryId, { concurrency });
    const wall = performance.now() - started;
    if (outcome.failed.length > 0 || outcome.refreshed.length !== environmentCount) throw new Error(JSON.stringify(outcome.failed[0]));
    const perEnv = kube.requests.length / environmentCount;
    const ideal = (environmentCount * perEnv * latencyMs) / concurrency;
    console.log(
      `refresh ${environmentCount} environments, ${latencyMs} ms/request, concurrency ${concurrency}: ${ms(wall)} wall, ${perEnv} request(s)/environment, ideal ${ms(ideal)} (${(wall / ideal).toFixed(2)}×)`,
    );
  }

  // 3. The ECR refresh job: every environment also runs a container from an ECR registry.
  kube.setLatency(0);
  const { registryId: ecrRegistryId } = await createRegistry(team, user, { type: "ECR", name: "bench ecr", credentials: { accessKeyId, secretAccessKey, region: "eu-central-1" } });
  for (const env of envs) {
    const { containerId } = await createContainer(team, user, { environmentId: env.id, name: "worker", registryId: ecrRegistryId, imageName: "123456789012.dkr.ecr.eu-central-1.amazonaws.com/team/worker", imageTag: "1.0", replicas: 1, port: null });
    const r = await runDeployment(team, user, { containerId, action: "deploy" }, { ecrEndpoint: ecr.url });
    if (r.status !== "succeeded") throw new Error(r.message);
  }
  kube.setLatency(latencyMs);
  kube.reset();
  const jobStarted = performance.now();
  // As if 11 hours had passed: every token is inside the job's horizon.
  const run = await refreshExpiringCredentials({ ecrEndpoint: ecr.url, now: new Date(Date.now() + 11 * 3600_000) });
  const jobWall = performance.now() - jobStarted;
  if (run.failed > 0 || run.refreshed !== environmentCount) throw new Error(JSON.stringify(run));
  console.log(
    `ECR refresh job, ${environmentCount} ECR-backed environments, ${latencyMs} ms/request: ${ms(jobWall)} wall (1 token exchange, ${kube.requests.length / environmentCount} request(s)/environment, concurrency 10; ideal ${ms((environmentCount * latencyMs) / 10)})`,
  );
} finally {
  await ecr.close();
  await kubelet.stop();
  await kube.close();
  await dbHandle().close();
  await database.drop();
}
