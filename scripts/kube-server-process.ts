// The Kubernetes API test server (tests/support/kube-server.ts) in a process of its own, for the
// benchmarks: a real cluster's API server does not share the dashboard's CPU, and in the same
// process its answers would be counted as the fan-out's work. Driven over IPC by kubeServerProcess
// in scripts/bench-setup.ts.
import { startKubeServer } from "../tests/support/kube-server";

const kube = await startKubeServer();
const send = (message: unknown) => process.send!(message);
process.on("message", (message: { id: number; op: "setLatency" | "reset" | "requestCount" | "close"; ms?: number }) => {
  const reply = (value?: unknown) => send({ id: message.id, value });
  if (message.op === "setLatency") reply(kube.setLatency(message.ms ?? 0));
  else if (message.op === "reset") reply(kube.reset());
  else if (message.op === "requestCount") reply(kube.requests.length);
  else if (message.op === "close") void kube.close().then(() => (reply(), process.disconnect()));
});
send({ ready: true, kubeconfigYaml: kube.kubeconfigYaml() });
