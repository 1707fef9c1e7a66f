import "server-only";
import { createHash } from "node:crypto";
import type { Agent } from "node:http";
import {
  AppsV1Api,
  CoreV1Api,
  createConfiguration,
  HttpMethod,
  KubeConfig,
  Observable,
  RequestContext,
  ResponseContext,
  ServerConfiguration,
  type SecurityAuthentication,
  type V1Deployment,
  type V1Secret,
} from "@kubernetes/client-node";
import { BoundedCache } from "@/lib/bounded-cache";
import { checkKubeconfig } from "@/lib/environments/kubeconfig";
import { egressAgent, isEgressRefused, serverEgressPolicy, type EgressPolicy } from "@/lib/egress";
import { failureDetail, networkFailure } from "@/lib/network-failure";
import { namespaceManifest } from "./manifests";
import { printableCapped } from "./redact";

/**
 * The Kubernetes half of the deploy module, on the real `@kubernetes/client-node`.
 * Writes are replace-first (one PUT when the object exists, the common case on a redeploy or
 * a credential refresh), falling back to create; each object is written whole in one request,
 * so a failure never leaves a Secret with old and new values mixed.
 *
 * The API server's address is typed by a user, so every request goes through the egress policy,
 * and an answer reaches the user only once it parsed as the Kubernetes object it claims to be.
 */

export const KUBE_TIMEOUT_MS = 10_000;

/**
 * A failed step, with a message fit for a user (never the request body, never a secret):
 * `<step>: <reason>`, the reason in plain words and its technical part (a network error code)
 * apart in `detail`, which the message carries in parentheses for logs and deploy records.
 */
export class KubeError extends Error {
  constructor(
    readonly step: string,
    readonly reason: string,
    readonly status?: number,
    readonly detail?: string,
  ) {
    super(`${step}: ${reason}${detail ? ` (${detail})` : ""}`);
    this.name = "KubeError";
  }
}

/** A real `Status` object from the API server: its code, reason and (capped) message. */
export class KubeStatusError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    readonly statusMessage: string,
  ) {
    super(`${statusMessage || reason || "failed"} (HTTP ${code}${reason ? `, ${reason}` : ""})`);
    this.name = "KubeStatusError";
  }
}

/** An answer that is not what a Kubernetes API server would send: none of its text is kept. */
export class NotKubernetesError extends Error {
  constructor(status: number, contentType: string) {
    super(`not a Kubernetes API server (HTTP ${status}, ${contentType})`);
    this.name = "NotKubernetesError";
  }
}

export type KubeClients = { core: CoreV1Api; apps: AppsV1Api; timeoutMs: number };

/**
 * `kubeconfig` pasted by the user (checked for exec/auth-provider before it is saved), or the
 * pod's service account (an operator's choice, ALLOW_LOCAL_ORCHESTRATORS, so not vetted).
 */
export function kubeClients(source: { kubeconfig: string } | { inCluster: true }, opts: { timeoutMs?: number; policy?: EgressPolicy } = {}): KubeClients {
  // The service account's token file is rotated on disk, so in-cluster clients are read afresh.
  if (!("kubeconfig" in source)) return newKubeClients(source, opts);
  const policy = opts.policy ?? serverEgressPolicy();
  let byKey = clientsByPolicy.get(policy);
  if (!byKey) clientsByPolicy.set(policy, (byKey = new BoundedCache(CACHED_TARGETS, CLIENTS_TTL_MS)));
  // An edited kubeconfig or a rotated credential is a new text, so it gets new clients.
  const key = `${opts.timeoutMs ?? KUBE_TIMEOUT_MS}:${createHash("sha256").update(source.kubeconfig).digest("base64")}`;
  const cached = byKey.get(key);
  if (cached) return cached;
  const made = newKubeClients(source, { ...opts, policy });
  byKey.set(key, made);
  return made;
}

/**
 * Clients per kubeconfig text (and egress policy), so a fan-out over many environments or a
 * redeploy neither parses a kubeconfig again nor opens a new connection per request (each
 * client keeps one keep-alive agent, see egressAuthentication). They hold the kubeconfig's
 * credentials, so they are made afresh after a while; past this many the oldest make room.
 */
const CACHED_TARGETS = 1000;
const CLIENTS_TTL_MS = 10 * 60_000;
const clientsByPolicy = new WeakMap<EgressPolicy, BoundedCache<string, KubeClients>>();

function newKubeClients(source: { kubeconfig: string } | { inCluster: true }, opts: { timeoutMs?: number; policy?: EgressPolicy }): KubeClients {
  const kc = new KubeConfig();
  if ("kubeconfig" in source) {
    // Built from the checked fields only: the text never reaches the client's own YAML loader,
    // which would run exec plugins and read token or key files from this server's disk.
    const check = checkKubeconfig(source.kubeconfig);
    if (!check.ok) throw new KubeError("kubeconfig", check.message);
    const t = check.target;
    // The client refuses http:// unless TLS checks are off; on plain http there is no TLS to check.
    const skipTLSVerify = t.skipTLSVerify || t.server.startsWith("http:");
    kc.loadFromOptions({
      clusters: [{ name: "target", server: t.server, caData: t.caData, skipTLSVerify, tlsServerName: t.tlsServerName }],
      users: [{ name: "target", token: t.token, certData: t.certData, keyData: t.keyData, username: t.username, password: t.password }],
      contexts: [{ name: "target", cluster: "target", user: "target", namespace: t.namespace }],
      currentContext: "target",
    });
    const config = createConfiguration({ baseServer: new ServerConfiguration(t.server, {}), authMethods: { default: egressAuthentication(kc, t.server, opts.policy ?? serverEgressPolicy()) } });
    return { core: new CoreV1Api(config), apps: new AppsV1Api(config), timeoutMs: opts.timeoutMs ?? KUBE_TIMEOUT_MS };
  }
  // Outside a pod the client would aim at "https://undefined:undefined": say what is missing instead.
  if (!process.env.KUBERNETES_SERVICE_HOST) throw new KubeError("in-cluster", "The dashboard is not running inside a Kubernetes cluster, so it has no service account to use");
  kc.loadFromCluster();
  return { core: kc.makeApiClient(CoreV1Api), apps: kc.makeApiClient(AppsV1Api), timeoutMs: opts.timeoutMs ?? KUBE_TIMEOUT_MS };
}

type AgentWithOptions = Agent & { options?: Record<string, unknown> };
type Prepared = { headers: Record<string, string>; agent: Agent };
const IDLE_SOCKET_TIMEOUT_MS = 30_000;

/**
 * The client's own authentication makes a new agent for every request (decoding the CA and the
 * client key again) that the egress policy would replace. This one asks it once what it would
 * send, the headers and the TLS settings of that agent, and gives every request those headers
 * and one keep-alive egress agent. That agent still vets every new socket; idle ones close after
 * a while so cached clients do not hold connections open.
 */
function egressAuthentication(kc: KubeConfig, server: string, policy: EgressPolicy): SecurityAuthentication {
  let prepared: Promise<Prepared> | undefined;
  const prepare = async (): Promise<Prepared> => {
    const sample = new RequestContext(server, HttpMethod.GET);
    await kc.applySecurityAuthentication(sample);
    const { ca, cert, key, rejectUnauthorized, servername } = (sample.getAgent() as AgentWithOptions | undefined)?.options ?? {};
    const options = { ca, cert, key, rejectUnauthorized, servername, keepAlive: true, timeout: IDLE_SOCKET_TIMEOUT_MS };
    return { headers: sample.getHeaders(), agent: egressAgent(new URL(server).protocol, policy, options as never) };
  };
  return {
    getName: () => "egress",
    async applySecurityAuthentication(ctx) {
      prepared ??= prepare();
      const { headers, agent } = await prepared;
      for (const [name, value] of Object.entries(headers)) ctx.setHeaderParam(name, value);
      ctx.setAgent(agent);
    },
  };
}

const MESSAGE_CAP = 200;

/** Printable text only, at most MESSAGE_CAP characters. */
const capped = (text: unknown) => (typeof text === "string" ? printableCapped(text, MESSAGE_CAP) : "");

/** The media type of a Content-Type header, or "no content type" when it is not one. */
function mediaTypeOf(header: string | undefined): string {
  const type = (header ?? "").split(";")[0]!.trim().toLowerCase();
  return /^[a-z0-9.+-]{1,40}\/[a-z0-9.+-]{1,60}$/.test(type) ? type : "no content type";
}

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Checks one answer of the API server: a failure must be a `Status`, a success one of the
 * `kinds` the call expects. Anything else is reported by its status code and media type only.
 */
export function vetKubeAnswer(status: number, contentType: string | undefined, text: string, kinds: readonly string[]): void {
  const media = mediaTypeOf(contentType);
  const body = media === "application/json" ? parseJson(text) : undefined;
  const isObject = !!body && typeof body.apiVersion === "string" && typeof body.kind === "string";
  if (status >= 200 && status < 300) {
    if (isObject && kinds.includes(body.kind as string)) return;
    throw new NotKubernetesError(status, media);
  }
  if (isObject && body.kind === "Status" && body.status === "Failure") {
    throw new KubeStatusError(typeof body.code === "number" ? body.code : status, capped(body.reason), capped(body.message));
  }
  throw new NotKubernetesError(status, media);
}

/**
 * Per-request options: a timeout (the client has none by default) and the answer vetted. The
 * connection goes through the egress policy by the clients' authentication (egressAuthentication).
 */
export function call(k: KubeClients, kinds: readonly string[]) {
  return {
    middleware: [
      {
        pre: (ctx: RequestContext) => {
          ctx.setSignal(AbortSignal.timeout(k.timeoutMs));
          return new Observable(Promise.resolve(ctx));
        },
        post: (response: ResponseContext) =>
          new Observable(
            (async () => {
              const text = await response.body.text();
              vetKubeAnswer(response.httpStatusCode, response.headers["content-type"], text, kinds);
              return new ResponseContext(response.httpStatusCode, response.headers, { text: async () => text, binary: async () => Buffer.from(text) });
            })(),
          ),
      },
    ],
    middlewareMergeStrategy: "append" as const,
  };
}

export function statusOf(err: unknown): number | undefined {
  return err instanceof KubeStatusError ? err.code : undefined;
}

/** The cause in plain words, and the network error code apart when there is one. */
function reasonOf(err: unknown): { words: string; detail?: string } {
  if (err instanceof KubeStatusError || err instanceof NotKubernetesError) return { words: err.message };
  if (isEgressRefused(err)) return { words: err.message };
  const failure = networkFailure(err, KUBE_TIMEOUT_MS);
  // The request's own deadline (a client's may differ from KUBE_TIMEOUT_MS): no number is named.
  if (failure.kind === "timeout" && !failure.code) return { words: "the API server did not answer in time" };
  return { words: `cannot reach the API server — ${failure.words}`, detail: failureDetail(failure) };
}

export function kubeError(step: string, err: unknown): KubeError {
  const status = statusOf(err);
  const hint =
    status === 401
      ? "The cluster refused the kubeconfig's credentials"
      : status === 403
        ? "The kubeconfig's user is not allowed to do this"
        : undefined;
  const { words, detail } = reasonOf(err);
  // The hint is the cause in plain words; what the API server said becomes its detail.
  return hint ? new KubeError(step, hint, status, words) : new KubeError(step, words, status, detail);
}

export async function step<T>(name: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    throw err instanceof KubeError ? err : kubeError(name, err);
  }
}

/** Creates the namespace unless it exists (an existing one is left as is). */
export async function ensureNamespace(k: KubeClients, name: string, environmentId: string) {
  await step(`namespace ${name}`, async () => {
    try {
      await k.core.readNamespace({ name }, call(k, ["Namespace"]));
    } catch (err) {
      if (statusOf(err) !== 404) throw err;
      try {
        await k.core.createNamespace({ body: namespaceManifest(name, environmentId) }, call(k, ["Namespace"]));
      } catch (createErr) {
        if (statusOf(createErr) !== 409) throw createErr;
      }
    }
  });
}

/**
 * Replace-or-create for one object. A 404 on replace means the object (or its namespace) is
 * missing: `onMissing` may create the namespace before the create.
 */
async function upsert(replace: () => Promise<unknown>, create: () => Promise<unknown>, onMissing?: () => Promise<void>) {
  try {
    await replace();
  } catch (err) {
    if (statusOf(err) !== 404) throw err;
    await onMissing?.();
    try {
      await create();
    } catch (createErr) {
      // Created concurrently between our replace and create: replace again, now it exists.
      if (statusOf(createErr) !== 409) throw createErr;
      await replace();
    }
  }
}

export async function upsertSecret(k: KubeClients, secret: V1Secret, opts: { ensureNamespace?: () => Promise<void> } = {}) {
  const name = secret.metadata!.name!;
  const namespace = secret.metadata!.namespace!;
  await step(`pull secret ${namespace}/${name}`, () =>
    upsert(
      () => k.core.replaceNamespacedSecret({ name, namespace, body: secret }, call(k, ["Secret"])),
      () => k.core.createNamespacedSecret({ namespace, body: secret }, call(k, ["Secret"])),
      opts.ensureNamespace,
    ),
  );
}

export async function upsertDeployment(k: KubeClients, deployment: V1Deployment) {
  const name = deployment.metadata!.name!;
  const namespace = deployment.metadata!.namespace!;
  await step(`deployment ${namespace}/${name}`, () =>
    upsert(
      () => k.apps.replaceNamespacedDeployment({ name, namespace, body: deployment }, call(k, ["Deployment"])),
      () => k.apps.createNamespacedDeployment({ namespace, body: deployment }, call(k, ["Deployment"])),
    ),
  );
}

async function ignoreMissing(run: () => Promise<unknown>) {
  try {
    await run();
  } catch (err) {
    if (statusOf(err) !== 404) throw err;
  }
}

export async function deleteSecret(k: KubeClients, namespace: string, name: string) {
  await step(`delete pull secret ${namespace}/${name}`, () => ignoreMissing(() => k.core.deleteNamespacedSecret({ name, namespace }, call(k, ["Status", "Secret"]))));
}

export async function deleteDeployment(k: KubeClients, namespace: string, name: string) {
  await step(`delete deployment ${namespace}/${name}`, () => ignoreMissing(() => k.apps.deleteNamespacedDeployment({ name, namespace }, call(k, ["Status", "Deployment"]))));
}

/** The namespaces these credentials can list: the environment page's connection test. */
export async function listNamespaces(k: KubeClients): Promise<string[]> {
  return step("list namespaces", async () => {
    const list = await k.core.listNamespace({}, call(k, ["NamespaceList"]));
    // Names only as what a namespace name can be: a DNS-1123 label.
    return list.items.map((ns) => ns.metadata?.name ?? "").filter((n) => /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(n));
  });
}
