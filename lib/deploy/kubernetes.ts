import "server-only";
import { ApiException, AppsV1Api, CoreV1Api, KubeConfig, Observable, type RequestContext, type ResponseContext, type V1Deployment, type V1Secret } from "@kubernetes/client-node";
import { checkKubeconfig } from "@/lib/environments/kubeconfig";
import { namespaceManifest } from "./manifests";

/**
 * The Kubernetes half of the deploy module, on the real `@kubernetes/client-node`.
 * Writes are replace-first (one PUT when the object exists, the common case on a redeploy or
 * a credential refresh), falling back to create; each object is written whole in one request,
 * so a failure never leaves a Secret with old and new values mixed.
 */

export const KUBE_TIMEOUT_MS = 10_000;

/** A failed step, with a message fit for a user (never the request body, never a secret). */
export class KubeError extends Error {
  constructor(
    readonly step: string,
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = "KubeError";
  }
}

export type KubeClients = { core: CoreV1Api; apps: AppsV1Api; timeoutMs: number };

/** `kubeconfig` pasted by the user (checked for exec/auth-provider before it is saved), or the pod's service account. */
export function kubeClients(source: { kubeconfig: string } | { inCluster: true }, opts: { timeoutMs?: number } = {}): KubeClients {
  const kc = new KubeConfig();
  if ("kubeconfig" in source) {
    // Built from the checked fields only: the text never reaches the client's own YAML loader,
    // which would run exec plugins and read token or key files from this server's disk.
    const check = checkKubeconfig(source.kubeconfig);
    if (!check.ok) throw new KubeError("kubeconfig", `kubeconfig: ${check.message}`);
    const t = check.target;
    kc.loadFromOptions({
      clusters: [{ name: "target", server: t.server, caData: t.caData, skipTLSVerify: t.skipTLSVerify, tlsServerName: t.tlsServerName }],
      users: [{ name: "target", token: t.token, certData: t.certData, keyData: t.keyData, username: t.username, password: t.password }],
      contexts: [{ name: "target", cluster: "target", user: "target", namespace: t.namespace }],
      currentContext: "target",
    });
  } else {
    kc.loadFromCluster();
  }
  return { core: kc.makeApiClient(CoreV1Api), apps: kc.makeApiClient(AppsV1Api), timeoutMs: opts.timeoutMs ?? KUBE_TIMEOUT_MS };
}

/** Per-request timeout: the client has none by default. */
function withTimeout(ms: number) {
  return {
    middleware: [
      {
        pre: (ctx: RequestContext) => {
          ctx.setSignal(AbortSignal.timeout(ms));
          return new Observable(Promise.resolve(ctx));
        },
        post: (response: ResponseContext) => new Observable(Promise.resolve(response)),
      },
    ],
    middlewareMergeStrategy: "append" as const,
  };
}

function statusOf(err: unknown): number | undefined {
  return err instanceof ApiException ? err.code : undefined;
}

function reasonOf(err: unknown): string {
  if (err instanceof ApiException) {
    try {
      const body = typeof err.body === "string" ? JSON.parse(err.body) : err.body;
      if (body && typeof body.message === "string") return body.message;
    } catch {
      // Not a Status body; fall through to the status code.
    }
    return `HTTP ${err.code}`;
  }
  const name = (err as { name?: string; type?: string }).name;
  if (name === "AbortError" || (err as { type?: string }).type === "aborted") return "the API server did not answer in time";
  const code = (err as { code?: string }).code;
  return code ? `cannot reach the API server (${code})` : "cannot reach the API server";
}

export function kubeError(step: string, err: unknown): KubeError {
  const status = statusOf(err);
  const hint =
    status === 401
      ? "The cluster refused the kubeconfig's credentials"
      : status === 403
        ? "The kubeconfig's user is not allowed to do this"
        : undefined;
  return new KubeError(step, `${step}: ${hint ? `${hint} (${reasonOf(err)})` : reasonOf(err)}`, status);
}

async function step<T>(name: string, run: () => Promise<T>): Promise<T> {
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
      await k.core.readNamespace({ name }, withTimeout(k.timeoutMs));
    } catch (err) {
      if (statusOf(err) !== 404) throw err;
      try {
        await k.core.createNamespace({ body: namespaceManifest(name, environmentId) }, withTimeout(k.timeoutMs));
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
      () => k.core.replaceNamespacedSecret({ name, namespace, body: secret }, withTimeout(k.timeoutMs)),
      () => k.core.createNamespacedSecret({ namespace, body: secret }, withTimeout(k.timeoutMs)),
      opts.ensureNamespace,
    ),
  );
}

export async function upsertDeployment(k: KubeClients, deployment: V1Deployment) {
  const name = deployment.metadata!.name!;
  const namespace = deployment.metadata!.namespace!;
  await step(`deployment ${namespace}/${name}`, () =>
    upsert(
      () => k.apps.replaceNamespacedDeployment({ name, namespace, body: deployment }, withTimeout(k.timeoutMs)),
      () => k.apps.createNamespacedDeployment({ namespace, body: deployment }, withTimeout(k.timeoutMs)),
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
  await step(`delete pull secret ${namespace}/${name}`, () => ignoreMissing(() => k.core.deleteNamespacedSecret({ name, namespace }, withTimeout(k.timeoutMs))));
}

export async function deleteDeployment(k: KubeClients, namespace: string, name: string) {
  await step(`delete deployment ${namespace}/${name}`, () => ignoreMissing(() => k.apps.deleteNamespacedDeployment({ name, namespace }, withTimeout(k.timeoutMs))));
}

/** The namespaces these credentials can list: the environment page's connection test. */
export async function listNamespaces(k: KubeClients): Promise<string[]> {
  return step("list namespaces", async () => {
    const list = await k.core.listNamespace({}, withTimeout(k.timeoutMs));
    return list.items.map((ns) => ns.metadata?.name ?? "").filter(Boolean);
  });
}
