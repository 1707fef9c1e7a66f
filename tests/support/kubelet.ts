import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { isDeepStrictEqual } from "node:util";
import type { KubeServer, KubeWatchEvent } from "./kube-server";
import { run } from "./processes";

/**
 * What a cluster does after a Deployment is written, for the Kubernetes test server: the
 * deployment controller (a ReplicaSet per pod template, revisions, a rolling update that keeps the
 * old pods until the new ones are ready, the Deployment's status), the ReplicaSet controller
 * (pods), and one node's kubelet, which pulls each pod's image for real: `skopeo inspect` with the
 * `.dockerconfigjson` of the Secrets the pod names in `imagePullSecrets`, against the registry the
 * image names (the test registries trust their CAs through /etc/containers/certs.d). The pod's
 * status and events then say what skopeo said, worded as kubelet words them: Running, or
 * ErrImagePull with the registry's own error (containers/image's, which CRI-O reports too), then
 * ImagePullBackOff and a retry that reads the Secrets again.
 *
 * Simplifications, each one a real kubelet's behaviour in some setting: every pod pulls (as on a
 * node that has never run the image) unless its image is in `images` (pre-loaded on the node:
 * "already present on machine"); the node is offline but for loopback, so an image elsewhere fails
 * as a node without DNS would, without any traffic leaving the machine.
 */
export interface KubeletSimulator {
  /** Every pull attempt, in order. */
  pulls: { pod: string; image: string; ok: boolean; error?: string }[];
  /** Stops reacting; pulls in flight are left to finish and their results dropped. */
  stop(): Promise<void>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the stored objects are plain JSON reached into deeply
type Any = any;

const REVISION = "deployment.kubernetes.io/revision";
const TEMPLATE_HASH = "pod-template-hash";
const NODE = "sim-node-1";
/** RFC 3339 at second precision, as the API server writes timestamps. */
const now = () => new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
const isLoopbackHost = (host: string) => /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])(:\d+)?$/.test(host);

/** The registry host of an image reference (`docker.io` when the first component is not a host). */
function hostOf(image: string): string {
  const first = image.split("/")[0]!;
  return image.includes("/") && (first.includes(".") || first.includes(":") || first === "localhost") ? first : "docker.io";
}

/** Why a reference cannot be parsed, in the reference parser's words; undefined when it can. */
function invalidReference(image: string): string | undefined {
  const name = image.replace(/@sha256:[0-9a-f]{64}$/, "").replace(/:[\w][\w.-]{0,127}$/, "");
  const path = name.startsWith(hostOf(image)) ? name.slice(hostOf(image).length + 1) : name;
  if (/[A-Z]/.test(path)) return "invalid reference format: repository name must be lowercase";
  if (!/^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/.test(path)) return "invalid reference format";
  return undefined;
}

/** The containers/image error in skopeo's fatal line, without skopeo's own "Error parsing image name …:" wrapper. */
export function skopeoError(stderr: string): string {
  const line = stderr.trim().split("\n").at(-1) ?? "";
  const quoted = /msg="((?:[^"\\]|\\.)*)"/.exec(line)?.[1];
  let message = line;
  if (quoted !== undefined) {
    try {
      message = JSON.parse(`"${quoted}"`) as string;
    } catch {
      message = quoted;
    }
  }
  return message.replace(/^Error(?: parsing image name "[^"]*")?:\s*/, "").replace(/^initializing source docker:\/\/\S+:\s*/, "");
}

export function startKubelet(server: KubeServer, opts: { images?: string[]; backoffMs?: number; maxBackoffMs?: number } = {}): KubeletSimulator {
  const k = server.controllers;
  const preloaded = new Set(opts.images ?? []);
  const backoffMs = opts.backoffMs ?? 300;
  const maxBackoffMs = opts.maxBackoffMs ?? 5000;
  const pulls: KubeletSimulator["pulls"] = [];
  const timers = new Set<NodeJS.Timeout>();
  const running = new Set<string>(); // pod uids the kubelet is working on
  let stopped = false;
  let authDir: string | undefined;
  const authDirReady = mkdtemp(path.join(tmpdir(), "kubelet-sim-")).then((dir) => (authDir = dir));

  const later = (ms: number, fn: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (!stopped) fn();
    }, ms);
    timers.add(timer);
  };

  /** Deployments are reconciled one at a time each, after the write that triggered them. */
  const queues = new Map<string, Promise<void>>();
  const enqueue = (namespace: string, name: string) => {
    const key = `${namespace}/${name}`;
    const next = (queues.get(key) ?? Promise.resolve()).then(async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      if (!stopped) reconcile(namespace, name);
    }).catch((err: unknown) => {
      // A namespace deleted mid-way makes writes 404: the next event reconciles again.
      if ((err as { code?: number }).code !== 404) console.error("kubelet simulator:", err);
    });
    queues.set(key, next);
  };

  const unwatch = k.watch((event: KubeWatchEvent) => {
    if (stopped) return;
    const meta = event.object.metadata as Any;
    if (event.kind === "deployments" && event.type !== "DELETED") {
      const d = event.object as Any;
      // The controller's own status and annotation writes need nothing more once they are current.
      if (d.metadata.annotations?.[REVISION] && d.status?.observedGeneration === d.metadata.generation) return;
      enqueue(meta.namespace, meta.name);
    } else if (event.kind === "deployments") {
      collectGarbage(meta.namespace, meta.uid);
    }
  });

  function ownedBy(kind: "replicasets" | "pods", namespace: string, uid: string): Any[] {
    return server.list(kind, namespace).filter((o: Any) => (o.metadata.ownerReferences ?? []).some((r: Any) => r.uid === uid));
  }

  function collectGarbage(namespace: string, deploymentUid: string) {
    for (const rs of ownedBy("replicasets", namespace, deploymentUid)) {
      for (const pod of ownedBy("pods", namespace, rs.metadata.uid)) removeQuietly("pods", namespace, pod.metadata.name);
      removeQuietly("replicasets", namespace, rs.metadata.name);
    }
  }

  function removeQuietly(kind: "replicasets" | "pods", namespace: string, name: string) {
    try {
      k.remove(kind, namespace, name);
    } catch {
      // already gone (a namespace deletion takes everything with it)
    }
  }

  function reconcile(namespace: string, name: string) {
    const d: Any = server.get("deployments", namespace, name);
    if (!d) return;
    const template = d.spec.template;
    const hash = createHash("sha256").update(JSON.stringify(template)).digest("hex").slice(0, 10);
    const sets = ownedBy("replicasets", namespace, d.metadata.uid);
    const maxRevision = Math.max(0, ...sets.map((rs) => Number(rs.metadata.annotations?.[REVISION] ?? 0)));
    let current = sets.find((rs) => rs.metadata.labels?.[TEMPLATE_HASH] === hash);
    const labels = { ...(template.metadata?.labels ?? {}), [TEMPLATE_HASH]: hash };
    if (!current) {
      current = k.create("replicasets", namespace, {
        metadata: {
          name: `${name}-${hash}`,
          labels,
          annotations: { [REVISION]: String(maxRevision + 1) },
          ownerReferences: [{ apiVersion: "apps/v1", kind: "Deployment", name, uid: d.metadata.uid, controller: true, blockOwnerDeletion: true }],
        },
        spec: { replicas: d.spec.replicas, selector: { matchLabels: { ...d.spec.selector.matchLabels, [TEMPLATE_HASH]: hash } }, template: { ...template, metadata: { ...template.metadata, labels } } },
      });
    } else if (Number(current.metadata.annotations?.[REVISION]) < maxRevision) {
      // Going back to an older template makes its ReplicaSet the newest revision again.
      current = k.writeMetadata("replicasets", namespace, current.metadata.name, { annotations: { ...current.metadata.annotations, [REVISION]: String(maxRevision + 1) } });
    }
    if (current.spec.replicas !== d.spec.replicas) current = k.replace("replicasets", namespace, current.metadata.name, { ...current, spec: { ...current.spec, replicas: d.spec.replicas } });
    const revision = current.metadata.annotations[REVISION];
    if (d.metadata.annotations?.[REVISION] !== revision) {
      k.writeMetadata("deployments", namespace, name, { annotations: { ...(d.metadata.annotations ?? {}), [REVISION]: revision } });
    }
    scalePods(namespace, current);
    updateStatus(namespace, name);
  }

  /** The ReplicaSet controller: as many pods as the current ReplicaSet wants, each handed to the kubelet. */
  function scalePods(namespace: string, rs: Any) {
    const pods = ownedBy("pods", namespace, rs.metadata.uid);
    for (const extra of pods.slice(rs.spec.replicas)) removeQuietly("pods", namespace, extra.metadata.name);
    for (let i = pods.length; i < rs.spec.replicas; i++) {
      const pod = k.create("pods", namespace, {
        metadata: {
          name: `${rs.metadata.name}-${randomBytes(3).toString("hex").slice(0, 5)}`,
          labels: rs.spec.template.metadata.labels,
          annotations: rs.spec.template.metadata.annotations,
          ownerReferences: [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: rs.metadata.name, uid: rs.metadata.uid, controller: true, blockOwnerDeletion: true }],
        },
        spec: rs.spec.template.spec,
      }) as Any;
      event(pod, "Scheduled", "Normal", `Successfully assigned ${namespace}/${pod.metadata.name} to ${NODE}`, "default-scheduler");
      later(5, () => runPod(namespace, pod.metadata.name, pod.metadata.uid));
    }
  }

  /** The Deployment's and ReplicaSets' status from their pods; the rolling update's last step. */
  function updateStatus(namespace: string, name: string) {
    const d: Any = server.get("deployments", namespace, name);
    if (!d) return;
    const sets = ownedBy("replicasets", namespace, d.metadata.uid);
    const current = sets.find((rs) => rs.metadata.annotations?.[REVISION] === d.metadata.annotations?.[REVISION]);
    const isReady = (pod: Any) => (pod.status?.conditions ?? []).some((c: Any) => c.type === "Ready" && c.status === "True");
    const currentPods = current ? ownedBy("pods", namespace, current.metadata.uid) : [];
    const desired = d.spec.replicas;
    const newReady = currentPods.filter(isReady).length;
    for (const rs of sets) {
      if (rs === current) continue;
      // maxUnavailable rounds down to 0 for small replica counts: old pods go once the new ones are ready.
      if (newReady >= desired) {
        for (const pod of ownedBy("pods", namespace, rs.metadata.uid)) removeQuietly("pods", namespace, pod.metadata.name);
        if (rs.spec.replicas !== 0) k.replace("replicasets", namespace, rs.metadata.name, { ...rs, spec: { ...rs.spec, replicas: 0 } });
      }
    }
    for (const rs of ownedBy("replicasets", namespace, d.metadata.uid)) {
      const pods = ownedBy("pods", namespace, rs.metadata.uid);
      const status = { replicas: pods.length, readyReplicas: pods.filter(isReady).length, availableReplicas: pods.filter(isReady).length, observedGeneration: rs.metadata.generation };
      if (!isDeepStrictEqual(rs.status, status)) k.writeStatus("replicasets", namespace, rs.metadata.name, status);
    }
    const all = ownedBy("replicasets", namespace, d.metadata.uid).flatMap((rs) => ownedBy("pods", namespace, rs.metadata.uid));
    const ready = all.filter(isReady).length;
    const complete = newReady >= desired && all.length === currentPods.length;
    const previous = d.status ?? {};
    const condition = (type: string, ok: boolean, reason: string, message: string) => {
      const before = (previous.conditions ?? []).find((c: Any) => c.type === type);
      const changed = !before || before.status !== (ok ? "True" : "False") || before.reason !== reason;
      return { type, status: ok ? "True" : "False", reason, message, lastUpdateTime: changed ? now() : before.lastUpdateTime, lastTransitionTime: changed ? now() : before.lastTransitionTime };
    };
    const status = {
      observedGeneration: d.metadata.generation,
      replicas: all.length,
      updatedReplicas: currentPods.length,
      readyReplicas: ready,
      availableReplicas: ready,
      ...(desired - ready > 0 ? { unavailableReplicas: desired - ready } : {}),
      conditions: [
        condition("Available", ready >= desired, ready >= desired ? "MinimumReplicasAvailable" : "MinimumReplicasUnavailable", ready >= desired ? "Deployment has minimum availability." : "Deployment does not have minimum availability."),
        condition(
          "Progressing",
          true,
          complete ? "NewReplicaSetAvailable" : "ReplicaSetUpdated",
          complete ? `ReplicaSet "${current?.metadata.name}" has successfully progressed.` : `ReplicaSet "${current?.metadata.name}" is progressing.`,
        ),
      ],
    };
    const comparable = (s: Any) => ({ ...s, conditions: (s.conditions ?? []).map((c: Any) => ({ ...c, lastUpdateTime: undefined, lastTransitionTime: undefined })) });
    if (!isDeepStrictEqual(comparable(previous), comparable(status))) k.writeStatus("deployments", namespace, name, status);
  }

  function ownerDeployment(namespace: string, pod: Any): string | undefined {
    const rsName = (pod.metadata.ownerReferences ?? []).find((r: Any) => r.kind === "ReplicaSet")?.name;
    const rs: Any = rsName && server.get("replicasets", namespace, rsName);
    return (rs?.metadata.ownerReferences ?? []).find((r: Any) => r.kind === "Deployment")?.name;
  }

  /** The pod still exists as the same pod (not deleted, not replaced under the same name). */
  const stillThere = (namespace: string, name: string, uid: string): Any => {
    const pod: Any = server.get("pods", namespace, name);
    return pod?.metadata.uid === uid ? pod : undefined;
  };

  function event(pod: Any, reason: string, type: "Normal" | "Warning", message: string, component = "kubelet") {
    const time = now();
    const container = pod.spec.containers[0]?.name;
    try {
      k.create("events", pod.metadata.namespace, {
        metadata: { name: `${pod.metadata.name}.${randomBytes(8).toString("hex")}` },
        involvedObject: {
          kind: "Pod",
          apiVersion: "v1",
          namespace: pod.metadata.namespace,
          name: pod.metadata.name,
          uid: pod.metadata.uid,
          ...(component === "kubelet" && container ? { fieldPath: `spec.containers{${container}}` } : {}),
        },
        reason,
        message,
        type,
        count: 1,
        firstTimestamp: time,
        lastTimestamp: time,
        source: { component, ...(component === "kubelet" ? { host: NODE } : {}) },
        reportingComponent: component,
        reportingInstance: component === "kubelet" ? NODE : "",
      });
    } catch {
      // the namespace went away meanwhile
    }
  }

  function setContainerState(namespace: string, pod: Any, state: { running: true } | { waiting: { reason: string; message?: string } }) {
    const time = now();
    const runningNow = "running" in state;
    const containerStatuses = (pod.spec.containers as Any[]).map((c) => ({
      name: c.name,
      image: c.image,
      imageID: runningNow ? `${c.image.split(/[:@]/)[0]}@sha256:${createHash("sha256").update(c.image).digest("hex")}` : "",
      ready: runningNow,
      started: runningNow,
      restartCount: 0,
      state: runningNow ? { running: { startedAt: time } } : { waiting: state.waiting },
    }));
    const readiness = runningNow ? { status: "True" } : { status: "False", reason: "ContainersNotReady", message: `containers with unready status: [${pod.spec.containers.map((c: Any) => c.name).join(" ")}]` };
    k.writeStatus("pods", namespace, pod.metadata.name, {
      phase: runningNow ? "Running" : "Pending",
      hostIP: "10.0.0.10",
      ...(runningNow ? { podIP: `10.244.0.${1 + (parseInt(pod.metadata.uid.slice(0, 2), 16) % 250)}` } : {}),
      startTime: pod.status?.startTime ?? time,
      qosClass: "BestEffort",
      conditions: [
        { type: "PodScheduled", status: "True", lastTransitionTime: pod.metadata.creationTimestamp },
        { type: "Initialized", status: "True", lastTransitionTime: pod.metadata.creationTimestamp },
        { type: "ContainersReady", lastTransitionTime: time, ...readiness },
        { type: "Ready", lastTransitionTime: time, ...readiness },
      ],
      containerStatuses,
    });
  }

  /** The `.dockerconfigjson` auths of the Secrets the pod names, merged in order, as kubelet builds its keyring. */
  function authfileFor(pod: Any): { auths: Record<string, unknown>; missing: string[] } {
    const auths: Record<string, unknown> = {};
    const missing: string[] = [];
    for (const ref of pod.spec.imagePullSecrets ?? []) {
      const secret: Any = server.get("secrets", pod.metadata.namespace, ref.name);
      const data = secret?.type === "kubernetes.io/dockerconfigjson" ? secret.data?.[".dockerconfigjson"] : undefined;
      if (!data) {
        missing.push(ref.name);
        continue;
      }
      try {
        Object.assign(auths, (JSON.parse(Buffer.from(data, "base64").toString("utf8")) as { auths?: Record<string, unknown> }).auths ?? {});
      } catch {
        missing.push(ref.name);
      }
    }
    return { auths, missing };
  }

  async function pull(pod: Any, image: string): Promise<{ ok: true; size: number } | { ok: false; error: string }> {
    const host = hostOf(image);
    if (!isLoopbackHost(host)) return { ok: false, error: `pinging container registry ${host}: Get "https://${host}/v2/": dial tcp: lookup ${host}: no such host` };
    const { auths, missing } = authfileFor(pod);
    if (missing.length > 0) event(pod, "FailedToRetrieveImagePullSecret", "Warning", `Unable to retrieve some image pull secrets (${missing.join(", ")}); attempting to pull the image may not succeed.`);
    await authDirReady;
    const authfile = path.join(authDir!, `${randomBytes(6).toString("hex")}.json`);
    await writeFile(authfile, JSON.stringify({ auths }), { mode: 0o600 });
    try {
      const result = await run("skopeo", ["inspect", "--authfile", authfile, `docker://${image}`]);
      if (result.code !== 0) return { ok: false, error: skopeoError(result.stderr) };
      const layers = (JSON.parse(result.stdout) as { LayersData?: { Size?: number }[] }).LayersData ?? [];
      return { ok: true, size: layers.reduce((sum, l) => sum + (l.Size ?? 0), 0) };
    } finally {
      await rm(authfile, { force: true });
    }
  }

  /** A pod's next step, whose failure after stop() (its namespace or auth dir gone) is nobody's concern. */
  function runPod(namespace: string, name: string, uid: string, attempt = 0) {
    startPod(namespace, name, uid, attempt).catch((err: unknown) => {
      running.delete(uid);
      if (!stopped && (err as { code?: number }).code !== 404) console.error("kubelet simulator:", err);
    });
  }

  /** One pod's life on the node: pull (with back-off and retries that read the Secrets again), then run. */
  async function startPod(namespace: string, name: string, uid: string, attempt = 0): Promise<void> {
    if (stopped || (attempt === 0 && running.has(uid))) return;
    running.add(uid);
    const pod = stillThere(namespace, name, uid);
    if (!pod) return void running.delete(uid);
    const deployment = ownerDeployment(namespace, pod);
    const refresh = () => deployment && updateStatus(namespace, deployment);
    if (attempt === 0) setContainerState(namespace, pod, { waiting: { reason: "ContainerCreating" } });
    const image: string = pod.spec.containers[0].image;
    const invalid = invalidReference(image);
    if (invalid) {
      // kubelet parses the reference before any pull, and never retries one it cannot parse.
      const message = `Failed to apply default image tag "${image}": couldn't parse image name "${image}": ${invalid}`;
      event(pod, "InspectFailed", "Warning", message);
      event(pod, "Failed", "Warning", "Error: InvalidImageName");
      setContainerState(namespace, pod, { waiting: { reason: "InvalidImageName", message } });
      running.delete(uid);
      return void refresh();
    }
    if (preloaded.has(image)) {
      event(pod, "Pulled", "Normal", `Container image "${image}" already present on machine`);
    } else {
      event(pod, "Pulling", "Normal", `Pulling image "${image}"`);
      const started = performance.now();
      const result = await pull(pod, image);
      pulls.push({ pod: name, image, ok: result.ok, ...(result.ok ? {} : { error: result.error }) });
      const current = stillThere(namespace, name, uid);
      if (stopped || !current) return void running.delete(uid);
      if (!result.ok) {
        event(current, "Failed", "Warning", `Failed to pull image "${image}": ${result.error}`);
        event(current, "Failed", "Warning", "Error: ErrImagePull");
        setContainerState(namespace, current, { waiting: { reason: "ErrImagePull", message: result.error } });
        refresh();
        const delay = Math.min(backoffMs * 2 ** attempt, maxBackoffMs);
        later(Math.min(backoffMs, delay), () => {
          const backingOff = stillThere(namespace, name, uid);
          if (!backingOff) return;
          event(backingOff, "BackOff", "Normal", `Back-off pulling image "${image}"`);
          event(backingOff, "Failed", "Warning", "Error: ImagePullBackOff");
          setContainerState(namespace, backingOff, { waiting: { reason: "ImagePullBackOff", message: `Back-off pulling image "${image}"` } });
          refresh();
        });
        later(delay + backoffMs, () => runPod(namespace, name, uid, attempt + 1));
        return;
      }
      const ms = Math.round(performance.now() - started);
      event(current, "Pulled", "Normal", `Successfully pulled image "${image}" in ${ms}ms (${ms}ms including waiting). Image size: ${result.size} bytes.`);
    }
    const ready = stillThere(namespace, name, uid);
    if (!ready) return void running.delete(uid);
    event(ready, "Created", "Normal", `Created container ${ready.spec.containers[0].name}`);
    event(ready, "Started", "Normal", `Started container ${ready.spec.containers[0].name}`);
    setContainerState(namespace, ready, { running: true });
    running.delete(uid);
    refresh();
  }

  return {
    pulls,
    async stop() {
      stopped = true;
      unwatch();
      for (const timer of timers) clearTimeout(timer);
      await Promise.allSettled(queues.values());
      await authDirReady;
      await rm(authDir!, { recursive: true, force: true });
    },
  };
}
