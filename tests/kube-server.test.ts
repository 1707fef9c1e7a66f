import * as k8s from "@kubernetes/client-node";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startKubeServer, type KubeServer } from "./support/kube-server";

/**
 * The Kubernetes test server, driven only through the real `@kubernetes/client-node` and a
 * kubeconfig: if the server strays from what the client expects, these fail.
 */

let server: KubeServer;
let core: k8s.CoreV1Api;
let apps: k8s.AppsV1Api;

function clientsFor(kubeconfig: string) {
  const kc = new k8s.KubeConfig();
  kc.loadFromString(kubeconfig);
  return { kc, core: kc.makeApiClient(k8s.CoreV1Api), apps: kc.makeApiClient(k8s.AppsV1Api) };
}

beforeEach(async () => {
  server = await startKubeServer();
  ({ core, apps } = clientsFor(server.kubeconfigYaml()));
});

afterEach(async () => {
  await server.close();
});

/** The call must fail with an ApiException; returns its code and the Status body the client left as a string. */
async function failure(call: Promise<unknown>): Promise<{ code: number; status: k8s.V1Status }> {
  const err = await call.then(
    () => {
      throw new Error("expected the call to fail");
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(k8s.ApiException);
  const { code, body } = err as k8s.ApiException<unknown>;
  expect(typeof body).toBe("string");
  return { code, status: JSON.parse(body as string) as k8s.V1Status };
}

const b64 = (text: string) => Buffer.from(text, "utf8").toString("base64");
const unb64 = (text: string | undefined) => Buffer.from(text ?? "", "base64").toString("utf8");

async function namespace(name = "team-a") {
  await core.createNamespace({ body: { metadata: { name } } });
  return name;
}

function deploymentBody(name: string, labels: Record<string, string> = { app: name }): k8s.V1Deployment {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, labels },
    spec: {
      selector: { matchLabels: labels },
      template: { metadata: { labels }, spec: { containers: [{ name: "main", image: "nginx:1.27" }] } },
    },
  };
}

const dockerConfigSecret = (name: string, dockerconfigjson: string): k8s.V1Secret => ({
  metadata: { name },
  type: "kubernetes.io/dockerconfigjson",
  data: { ".dockerconfigjson": b64(dockerconfigjson) },
});

/** A per-request timeout, the way product code must add one (the client has none). */
const timeout = (ms: number) => ({
  middleware: [
    {
      pre: (ctx: k8s.RequestContext) => {
        ctx.setSignal(AbortSignal.timeout(ms));
        return new k8s.Observable(Promise.resolve(ctx));
      },
      post: (res: k8s.ResponseContext) => new k8s.Observable(Promise.resolve(res)),
    },
  ],
  middlewareMergeStrategy: "append" as const,
});

describe("kubeconfig", () => {
  it("is a real kubeconfig naming this server, its token and the default namespace", () => {
    const { kc } = clientsFor(server.kubeconfigYaml("team-a"));
    expect(kc.getCurrentCluster()).toMatchObject({ server: server.url, skipTLSVerify: true });
    expect(kc.getCurrentUser()?.token).toBe(server.token);
    expect(kc.getContextObject(kc.getCurrentContext())?.namespace).toBe("team-a");
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });
});

describe("namespaces", () => {
  it("create, read, list, replace, delete", async () => {
    const created = await core.createNamespace({ body: { metadata: { name: "team-a", labels: { tier: "prod" } } } });
    expect(created.metadata).toMatchObject({ name: "team-a", labels: { tier: "prod", "kubernetes.io/metadata.name": "team-a" } });
    expect(created.metadata?.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.metadata?.creationTimestamp).toBeInstanceOf(Date);
    expect(created.status?.phase).toBe("Active");
    await core.createNamespace({ body: { metadata: { name: "team-b" } } });

    const read = await core.readNamespace({ name: "team-a" });
    expect(read.metadata?.resourceVersion).toBe(created.metadata?.resourceVersion);

    const all = await core.listNamespace();
    expect(all.items.map((n) => n.metadata?.name)).toEqual(["team-a", "team-b"]);
    const prod = await core.listNamespace({ labelSelector: "tier=prod" });
    expect(prod.items.map((n) => n.metadata?.name)).toEqual(["team-a"]);

    read.metadata!.labels = { tier: "staging" };
    const replaced = await core.replaceNamespace({ name: "team-a", body: read });
    expect(replaced.metadata?.labels).toEqual({ tier: "staging", "kubernetes.io/metadata.name": "team-a" });
    expect(Number(replaced.metadata?.resourceVersion)).toBeGreaterThan(Number(read.metadata?.resourceVersion));
    expect(replaced.metadata?.uid).toBe(created.metadata?.uid);

    // The client types every delete's answer as V1Status; for a namespace it is the Namespace, now Terminating.
    const deleted = await core.deleteNamespace({ name: "team-a" });
    expect(deleted.kind).toBe("Namespace");
    expect(deleted.status as unknown).toEqual({ phase: "Terminating" });
    expect(server.get("namespaces", undefined, "team-a")).toBeUndefined();
    expect((await failure(core.readNamespace({ name: "team-a" }))).code).toBe(404);
  });

  it("deleting a namespace deletes its secrets, deployments and pods", async () => {
    await namespace("team-a");
    await namespace("team-b");
    await core.createNamespacedSecret({ namespace: "team-a", body: { metadata: { name: "s" }, stringData: { k: "v" } } });
    await core.createNamespacedSecret({ namespace: "team-b", body: { metadata: { name: "s" }, stringData: { k: "v" } } });
    await apps.createNamespacedDeployment({ namespace: "team-a", body: deploymentBody("web") });
    await core.createNamespacedPod({ namespace: "team-a", body: { metadata: { name: "web-1" }, spec: { containers: [{ name: "main", image: "nginx:1.27" }] } } });

    await core.deleteNamespace({ name: "team-a" });
    expect(server.list("secrets").map((s) => s.metadata.namespace)).toEqual(["team-b"]);
    expect(server.list("deployments")).toEqual([]);
    expect(server.list("pods")).toEqual([]);
  });
});

describe("secrets", () => {
  it("create (stringData merged into base64 data), read, list by label, replace, delete", async () => {
    await namespace();
    const created = await core.createNamespacedSecret({
      namespace: "team-a",
      body: { metadata: { name: "db", labels: { app: "shop", tier: "db" } }, data: { user: b64("admin") }, stringData: { password: "s3cret" } },
    });
    expect(created.type).toBe("Opaque");
    expect(created.stringData).toBeUndefined();
    expect(unb64(created.data?.user)).toBe("admin");
    expect(unb64(created.data?.password)).toBe("s3cret");
    expect(created.metadata?.namespace).toBe("team-a");
    expect(server.get("secrets", "team-a", "db").stringData).toBeUndefined();
    await core.createNamespacedSecret({ namespace: "team-a", body: { metadata: { name: "cache", labels: { app: "shop", tier: "cache" } } } });
    await core.createNamespacedSecret({ namespace: "team-a", body: { metadata: { name: "other", labels: { app: "blog" } } } });

    const read = await core.readNamespacedSecret({ name: "db", namespace: "team-a" });
    expect(read.data).toEqual(created.data);

    const names = async (labelSelector?: string) => (await core.listNamespacedSecret({ namespace: "team-a", labelSelector })).items.map((s) => s.metadata?.name);
    expect(await names()).toEqual(["cache", "db", "other"]);
    expect(await names("app=shop")).toEqual(["cache", "db"]);
    expect(await names("app=shop,tier=db")).toEqual(["db"]);
    expect(await names("app!=shop")).toEqual(["other"]);
    expect(await names("tier")).toEqual(["cache", "db"]);
    expect(await names("tier in (db,cache),app=shop")).toEqual(["cache", "db"]);
    // Another namespace's list is empty, not an error.
    expect((await core.listNamespacedSecret({ namespace: "elsewhere" })).items).toEqual([]);

    const replaced = await core.replaceNamespacedSecret({ name: "db", namespace: "team-a", body: { ...read, data: { user: b64("root") } } });
    expect(replaced.data).toEqual({ user: b64("root") });
    expect(Number(replaced.metadata?.resourceVersion)).toBeGreaterThan(Number(read.metadata?.resourceVersion));
    expect(server.get("secrets", "team-a", "db").data).toEqual({ user: b64("root") });

    const deleted = await core.deleteNamespacedSecret({ name: "db", namespace: "team-a" });
    expect(deleted).toMatchObject({ status: "Success", details: { name: "db", kind: "secrets", uid: created.metadata?.uid } });
    expect(server.get("secrets", "team-a", "db")).toBeUndefined();
    expect(await names()).toEqual(["cache", "other"]);
  });

  it("a dockerconfigjson Secret must carry .dockerconfigjson holding a JSON object", async () => {
    await namespace();
    const ok = await core.createNamespacedSecret({ namespace: "team-a", body: dockerConfigSecret("pull", JSON.stringify({ auths: { "r.example": { auth: b64("u:p") } } })) });
    expect(ok.type).toBe("kubernetes.io/dockerconfigjson");

    const notJson = await failure(core.createNamespacedSecret({ namespace: "team-a", body: dockerConfigSecret("bad", "{not json") }));
    expect(notJson.code).toBe(422);
    expect(notJson.status.reason).toBe("Invalid");
    expect(notJson.status.details?.causes).toEqual([expect.objectContaining({ field: "data[.dockerconfigjson]", reason: "FieldValueInvalid" })]);
    // Secret data is never echoed back in the error.
    expect(notJson.status.message).not.toContain("not json");

    const notObject = await failure(core.createNamespacedSecret({ namespace: "team-a", body: dockerConfigSecret("bad", '"a string"') }));
    expect(notObject.code).toBe(422);

    const missing = await failure(core.createNamespacedSecret({ namespace: "team-a", body: { metadata: { name: "bad" }, type: "kubernetes.io/dockerconfigjson", data: { other: b64("{}") } } }));
    expect(missing.code).toBe(422);
    expect(missing.status.message).toBe('Secret "bad" is invalid: data[.dockerconfigjson]: Required value');
    expect(server.get("secrets", "team-a", "bad")).toBeUndefined();

    const retyped = await failure(core.replaceNamespacedSecret({ name: "pull", namespace: "team-a", body: { metadata: { name: "pull" }, type: "Opaque" } }));
    expect(retyped.code).toBe(422);
    expect(retyped.status.details?.causes?.[0]).toMatchObject({ field: "type", message: expect.stringContaining("immutable") });
  });
});

describe("deployments", () => {
  it("create, read, list by label, replace (generation follows spec), delete", async () => {
    await namespace();
    const created = await apps.createNamespacedDeployment({ namespace: "team-a", body: deploymentBody("web") });
    expect(created.metadata).toMatchObject({ name: "web", namespace: "team-a", generation: 1 });
    expect(created.spec?.replicas).toBe(1);
    await apps.createNamespacedDeployment({ namespace: "team-a", body: deploymentBody("api") });

    const read = await apps.readNamespacedDeployment({ name: "web", namespace: "team-a" });
    expect(read.spec?.template.spec?.containers[0]?.image).toBe("nginx:1.27");

    const list = await apps.listNamespacedDeployment({ namespace: "team-a", labelSelector: "app=web" });
    expect(list.items.map((d) => d.metadata?.name)).toEqual(["web"]);

    read.spec!.replicas = 3;
    const replaced = await apps.replaceNamespacedDeployment({ name: "web", namespace: "team-a", body: read });
    expect(replaced.spec?.replicas).toBe(3);
    expect(replaced.metadata?.generation).toBe(2);
    replaced.metadata!.labels = { ...replaced.metadata!.labels, extra: "yes" };
    const relabelled = await apps.replaceNamespacedDeployment({ name: "web", namespace: "team-a", body: replaced });
    expect(relabelled.metadata?.generation).toBe(2);

    const deleted = await apps.deleteNamespacedDeployment({ name: "web", namespace: "team-a" });
    expect(deleted).toMatchObject({ status: "Success", details: { name: "web", group: "apps", kind: "deployments" } });
    expect(server.list("deployments", "team-a").map((d) => d.metadata.name)).toEqual(["api"]);
  });

  it("rejects schema-invalid bodies with 422 and the validation message", async () => {
    await namespace();
    const noSelector = deploymentBody("web");
    delete (noSelector.spec as Partial<k8s.V1DeploymentSpec>).selector;
    const a = await failure(apps.createNamespacedDeployment({ namespace: "team-a", body: noSelector }));
    expect(a.code).toBe(422);
    expect(a.status).toMatchObject({ kind: "Status", status: "Failure", reason: "Invalid", details: { name: "web", group: "apps", kind: "Deployment" } });
    expect(a.status.message).toBe('Deployment.apps "web" is invalid: spec.selector: Required value');

    const noContainers = deploymentBody("web");
    delete (noContainers.spec!.template.spec as Partial<k8s.V1PodSpec>).containers;
    const b = await failure(apps.createNamespacedDeployment({ namespace: "team-a", body: noContainers }));
    expect(b.code).toBe(422);
    expect(b.status.details?.causes).toEqual([{ reason: "FieldValueRequired", message: "Required value", field: "spec.template.spec.containers" }]);
    // The schema allows an empty list; the server does not.
    const emptyContainers = deploymentBody("web");
    emptyContainers.spec!.template.spec!.containers = [];
    expect((await failure(apps.createNamespacedDeployment({ namespace: "team-a", body: emptyContainers }))).status.message).toBe(
      'Deployment.apps "web" is invalid: spec.template.spec.containers: Required value',
    );

    const wrongType = deploymentBody("web");
    (wrongType.spec as unknown as { replicas: string }).replicas = "two";
    const c = await failure(apps.createNamespacedDeployment({ namespace: "team-a", body: wrongType }));
    expect(c.code).toBe(422);
    expect(c.status.details?.causes?.[0]).toMatchObject({ field: "spec.replicas", message: "must be integer" });

    const mismatched = deploymentBody("web");
    mismatched.spec!.template.metadata!.labels = { app: "other" };
    const d = await failure(apps.createNamespacedDeployment({ namespace: "team-a", body: mismatched }));
    expect(d.code).toBe(422);
    expect(d.status.details?.causes?.[0]?.field).toBe("spec.template.metadata.labels");

    const badContainer = deploymentBody("web");
    badContainer.spec!.template.spec!.containers = [{ name: "Main_Container", image: "" }];
    const e = await failure(apps.createNamespacedDeployment({ namespace: "team-a", body: badContainer }));
    expect(e.status.details?.causes?.map((cause) => cause.field)).toEqual(["spec.template.spec.containers[0].name", "spec.template.spec.containers[0].image"]);

    expect(server.list("deployments")).toEqual([]);
  });
});

describe("pods, replicasets and events", () => {
  const pod = (name: string, labels: Record<string, string>): k8s.V1Pod => ({ metadata: { name, labels }, spec: { containers: [{ name: "main", image: "nginx:1.27" }] } });
  const event = (name: string, pod: string, reason: string): k8s.CoreV1Event => ({
    metadata: { name },
    involvedObject: { kind: "Pod", name: pod, namespace: "team-a" },
    reason,
    message: `${reason} for ${pod}`,
    type: reason === "Failed" ? "Warning" : "Normal",
  });

  it("lists pods and replicasets by label; a new pod is Pending and its status is not the client's to write", async () => {
    await namespace();
    const created = await core.createNamespacedPod({ namespace: "team-a", body: { ...pod("web-1", { app: "web" }), status: { phase: "Running" } } });
    expect(created.status?.phase).toBe("Pending");
    await core.createNamespacedPod({ namespace: "team-a", body: pod("api-1", { app: "api" }) });
    expect((await core.listNamespacedPod({ namespace: "team-a", labelSelector: "app=web" })).items.map((p) => p.metadata?.name)).toEqual(["web-1"]);

    const rs: k8s.V1ReplicaSet = {
      metadata: { name: "web-abc", labels: { app: "web", "pod-template-hash": "abc" } },
      spec: { selector: { matchLabels: { app: "web", "pod-template-hash": "abc" } }, template: { metadata: { labels: { app: "web", "pod-template-hash": "abc" } }, spec: { containers: [{ name: "main", image: "nginx:1.27" }] } } },
    };
    await apps.createNamespacedReplicaSet({ namespace: "team-a", body: rs });
    const list = await apps.listNamespacedReplicaSet({ namespace: "team-a", labelSelector: "app=web" });
    expect(list).toMatchObject({ kind: "ReplicaSetList", apiVersion: "apps/v1" });
    expect(list.items.map((r) => r.metadata?.generation)).toEqual([1]);
  });

  it("lists events by field selector, refuses a field the real server does not index", async () => {
    await namespace();
    await core.createNamespacedEvent({ namespace: "team-a", body: event("e1", "web-1", "Failed") });
    await core.createNamespacedEvent({ namespace: "team-a", body: event("e2", "web-1", "Pulling") });
    await core.createNamespacedEvent({ namespace: "team-a", body: event("e3", "api-1", "Failed") });
    const failed = await core.listNamespacedEvent({ namespace: "team-a", fieldSelector: "involvedObject.kind=Pod,reason=Failed" });
    expect(failed.kind).toBe("EventList");
    expect(failed.items.map((e) => e.metadata.name)).toEqual(["e1", "e3"]);
    const notFailed = await core.listNamespacedEvent({ namespace: "team-a", fieldSelector: "involvedObject.name=web-1,reason!=Failed" });
    expect(notFailed.items.map((e) => e.metadata.name)).toEqual(["e2"]);
    const refused = await failure(core.listNamespacedEvent({ namespace: "team-a", fieldSelector: "message=x" }));
    expect(refused.status).toMatchObject({ code: 400, message: "field label not supported: message" });
  });

  it("controllers write status and metadata, not the spec, and see every change through the watch", async () => {
    await namespace();
    const seen: string[] = [];
    const stop = server.controllers.watch((e) => seen.push(`${e.type} ${e.kind} ${(e.object.metadata as { name: string }).name}`));
    await apps.createNamespacedDeployment({ namespace: "team-a", body: deploymentBody("web") });
    const withStatus = server.controllers.writeStatus("deployments", "team-a", "web", { observedGeneration: 1, replicas: 1 });
    expect(withStatus).toMatchObject({ metadata: { generation: 1 }, status: { observedGeneration: 1 } });
    server.controllers.writeMetadata("deployments", "team-a", "web", { annotations: { "deployment.kubernetes.io/revision": "1" } });
    const read = await apps.readNamespacedDeployment({ name: "web", namespace: "team-a" });
    expect(read.metadata?.annotations).toEqual({ "deployment.kubernetes.io/revision": "1" });
    expect(read.metadata?.generation).toBe(1);
    expect(read.status?.observedGeneration).toBe(1);
    // A client's replace keeps the controller's status.
    const replaced = await apps.replaceNamespacedDeployment({ name: "web", namespace: "team-a", body: { ...deploymentBody("web"), status: {} } });
    expect(replaced.status?.observedGeneration).toBe(1);
    server.controllers.create("pods", "team-a", pod("web-1", { app: "web" }));
    await core.deleteNamespace({ name: "team-a" });
    stop();
    expect(seen).toEqual([
      "ADDED deployments web",
      "MODIFIED deployments web",
      "MODIFIED deployments web",
      "MODIFIED deployments web",
      "ADDED pods web-1",
      "DELETED namespaces team-a",
      "DELETED deployments web",
      "DELETED pods web-1",
    ]);
    // Controller writes are not requests.
    expect(server.requests.map((r) => r.method)).toEqual(["POST", "POST", "GET", "PUT", "DELETE"]);
  });
});

describe("errors", () => {
  it("404 NotFound Status for a missing object, a missing namespace and an unknown path", async () => {
    await namespace();
    const missing = await failure(core.readNamespacedSecret({ name: "nope", namespace: "team-a" }));
    expect(missing.code).toBe(404);
    expect(missing.status).toEqual({ kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message: 'secrets "nope" not found', reason: "NotFound", details: { name: "nope", kind: "secrets" }, code: 404 });

    for (const call of [
      apps.replaceNamespacedDeployment({ name: "nope", namespace: "team-a", body: deploymentBody("nope") }),
      apps.deleteNamespacedDeployment({ name: "nope", namespace: "team-a" }),
      core.patchNamespacedSecret({ name: "nope", namespace: "team-a", body: [] }),
    ]) {
      expect((await failure(call)).status).toMatchObject({ code: 404, reason: "NotFound" });
    }

    const noNamespace = await failure(core.createNamespacedSecret({ namespace: "ghost", body: { metadata: { name: "s" } } }));
    expect(noNamespace.code).toBe(404);
    expect(noNamespace.status.message).toBe('namespaces "ghost" not found');

    // ConfigMaps are not served: the server answers like a real one for an unknown resource.
    const unknown = await failure(core.listNamespacedConfigMap({ namespace: "team-a" }));
    expect(unknown.code).toBe(404);
    expect(unknown.status).toMatchObject({ reason: "NotFound", message: "the server could not find the requested resource" });
  });

  it("409 AlreadyExists on a second create", async () => {
    await namespace();
    const again = await failure(core.createNamespace({ body: { metadata: { name: "team-a" } } }));
    expect(again.code).toBe(409);
    expect(again.status).toMatchObject({ reason: "AlreadyExists", message: 'namespaces "team-a" already exists' });

    await apps.createNamespacedDeployment({ namespace: "team-a", body: deploymentBody("web") });
    const dup = await failure(apps.createNamespacedDeployment({ namespace: "team-a", body: deploymentBody("web") }));
    expect(dup.status).toMatchObject({ code: 409, reason: "AlreadyExists", message: 'deployments.apps "web" already exists' });
  });

  it("409 Conflict on a stale resourceVersion; without one, the last write wins", async () => {
    await namespace();
    await core.createNamespacedSecret({ namespace: "team-a", body: { metadata: { name: "s" }, stringData: { v: "1" } } });
    const stale = await core.readNamespacedSecret({ name: "s", namespace: "team-a" });
    await core.replaceNamespacedSecret({ name: "s", namespace: "team-a", body: { ...stale, data: { v: b64("2") } } });

    const conflict = await failure(core.replaceNamespacedSecret({ name: "s", namespace: "team-a", body: { ...stale, data: { v: b64("3") } } }));
    expect(conflict.code).toBe(409);
    expect(conflict.status.reason).toBe("Conflict");
    expect(conflict.status.message).toContain("the object has been modified");
    expect(unb64(server.get("secrets", "team-a", "s").data.v)).toBe("2");

    const blind = { ...stale, metadata: { name: "s" }, data: { v: b64("4") } };
    await core.replaceNamespacedSecret({ name: "s", namespace: "team-a", body: blind });
    expect(unb64(server.get("secrets", "team-a", "s").data.v)).toBe("4");
  });

  it("400 BadRequest when the body's name differs from the URL's", async () => {
    await namespace();
    await core.createNamespacedSecret({ namespace: "team-a", body: { metadata: { name: "s" } } });
    const mismatch = await failure(core.replaceNamespacedSecret({ name: "s", namespace: "team-a", body: { metadata: { name: "t" } } }));
    expect(mismatch.code).toBe(400);
    expect(mismatch.status).toMatchObject({ reason: "BadRequest", message: "the name of the object (t) does not match the name on the URL (s)" });
  });

  it("422 Invalid for bad names and labels, with details.causes", async () => {
    const badNs = await failure(core.createNamespace({ body: { metadata: { name: "Bad_Name" } } }));
    expect(badNs.code).toBe(422);
    expect(badNs.status.details).toMatchObject({ name: "Bad_Name", kind: "Namespace", causes: [{ field: "metadata.name", reason: "FieldValueInvalid" }] });
    // A DNS-1123 subdomain is fine for a Secret but not for a Namespace.
    const dotted = await failure(core.createNamespace({ body: { metadata: { name: "a.b" } } }));
    expect(dotted.code).toBe(422);
    const long = await failure(core.createNamespace({ body: { metadata: { name: "a".repeat(64) } } }));
    expect(long.status.details?.causes?.[0]?.message).toContain("no more than 63 characters");

    await namespace();
    await core.createNamespacedSecret({ namespace: "team-a", body: { metadata: { name: "a.b" } } });
    const badSecret = await failure(core.createNamespacedSecret({ namespace: "team-a", body: { metadata: { name: "UPPER" } } }));
    expect(badSecret.code).toBe(422);
    expect(badSecret.status.message).toMatch(/^Secret "UPPER" is invalid: metadata\.name: Invalid value: "UPPER": a lowercase RFC 1123 subdomain/);

    const badLabel = await failure(core.createNamespacedSecret({ namespace: "team-a", body: { metadata: { name: "s", labels: { image: "nginx:1.27" } } } }));
    expect(badLabel.status.details?.causes).toEqual([expect.objectContaining({ field: "metadata.labels", reason: "FieldValueInvalid" })]);
  });

  it("401 Unauthorized with a wrong token (client-node drops the body of a 401)", async () => {
    const wrong = clientsFor(server.kubeconfigYaml().replace(server.token, "not-the-token"));
    const err = await wrong.core.listNamespace().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(k8s.ApiException);
    expect((err as k8s.ApiException<unknown>).code).toBe(401);
    expect((err as k8s.ApiException<unknown>).body).toBeUndefined();
    expect(server.requests).toEqual([{ method: "GET", path: "/api/v1/namespaces", query: "", status: 401 }]);
  });
});

describe("patch", () => {
  beforeEach(async () => {
    await namespace();
    await core.createNamespacedSecret({ namespace: "team-a", body: { metadata: { name: "s", labels: { a: "1", b: "2" } }, stringData: { k: "v" } } });
  });

  it("merge patch through setHeaderOptions: objects merge, null deletes", async () => {
    const before = server.get("secrets", "team-a", "s");
    const patched = await core.patchNamespacedSecret(
      { name: "s", namespace: "team-a", body: { metadata: { labels: { b: null, c: "3" } }, stringData: { k2: "v2" } } },
      k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch),
    );
    expect(patched.metadata?.labels).toEqual({ a: "1", c: "3" });
    expect(patched.data).toEqual({ k: b64("v"), k2: b64("v2") });
    expect(Number(patched.metadata?.resourceVersion)).toBeGreaterThan(Number(before.metadata.resourceVersion));
    expect(server.get("secrets", "team-a", "s").metadata.labels).toEqual({ a: "1", c: "3" });
  });

  it("a resourceVersion inside a merge patch is a precondition", async () => {
    const conflict = await failure(
      core.patchNamespacedSecret({ name: "s", namespace: "team-a", body: { metadata: { resourceVersion: "1", labels: { a: "x" } } } }, k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch)),
    );
    expect(conflict.status).toMatchObject({ code: 409, reason: "Conflict" });
  });

  it("strategic merge patch is applied as a merge patch", async () => {
    const dep = deploymentBody("web");
    await apps.createNamespacedDeployment({ namespace: "team-a", body: dep });
    const patched = await apps.patchNamespacedDeployment(
      { name: "web", namespace: "team-a", body: { spec: { replicas: 4, template: { metadata: { annotations: { restartedAt: "now" } } } } } },
      k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.StrategicMergePatch),
    );
    expect(patched.spec?.replicas).toBe(4);
    expect(patched.spec?.template.metadata?.annotations).toEqual({ restartedAt: "now" });
    expect(patched.spec?.template.spec?.containers).toHaveLength(1);
    expect(patched.metadata?.generation).toBe(2);
  });

  it("without options the client sends a JSON patch (RFC 6902)", async () => {
    const patched = await core.patchNamespacedSecret({
      name: "s",
      namespace: "team-a",
      body: [
        { op: "test", path: "/metadata/labels/a", value: "1" },
        { op: "replace", path: "/metadata/labels/a", value: "one" },
        { op: "remove", path: "/metadata/labels/b" },
        { op: "add", path: "/data/new.key", value: b64("x") },
      ],
    });
    expect(patched.metadata?.labels).toEqual({ a: "one" });
    expect(patched.data).toEqual({ k: b64("v"), "new.key": b64("x") });
  });

  it("a failed JSON patch, or one whose result is invalid, changes nothing", async () => {
    const before = server.get("secrets", "team-a", "s");
    const failedTest = await failure(
      core.patchNamespacedSecret({ name: "s", namespace: "team-a", body: [{ op: "test", path: "/metadata/labels/a", value: "2" }, { op: "remove", path: "/data" }] }),
    );
    expect(failedTest.code).toBe(422);
    // "~1" is an escaped "/", which a data key may not contain.
    const badKey = await failure(core.patchNamespacedSecret({ name: "s", namespace: "team-a", body: [{ op: "add", path: "/data/a~1b", value: b64("x") }] }));
    expect(badKey.status.details?.causes?.[0]).toMatchObject({ field: "data" });
    expect(server.get("secrets", "team-a", "s")).toEqual(before);
  });
});

describe("test controls", () => {
  it("logs every request in order; reset() clears the log, not the data", async () => {
    await namespace();
    await core.readNamespace({ name: "team-a" });
    await failure(core.readNamespacedSecret({ name: "nope", namespace: "team-a" }));
    await core.listNamespacedSecret({ namespace: "team-a", labelSelector: "a=b" });
    expect(server.requests).toEqual([
      { method: "POST", path: "/api/v1/namespaces", query: "", status: 201 },
      { method: "GET", path: "/api/v1/namespaces/team-a", query: "", status: 200 },
      { method: "GET", path: "/api/v1/namespaces/team-a/secrets/nope", query: "", status: 404 },
      { method: "GET", path: "/api/v1/namespaces/team-a/secrets", query: "labelSelector=a%3Db", status: 200 },
    ]);
    server.reset();
    expect(server.requests).toEqual([]);
    expect(server.get("namespaces", undefined, "team-a")).toBeDefined();
  });

  it("applies latency to every answer", async () => {
    await namespace();
    server.setLatency(150);
    const started = performance.now();
    await core.readNamespace({ name: "team-a" });
    expect(performance.now() - started).toBeGreaterThanOrEqual(150);
    server.setLatency(0);
    const fast = performance.now();
    await core.readNamespace({ name: "team-a" });
    expect(performance.now() - fast).toBeLessThan(150);
  });

  it("takes the initial latency from the options", async () => {
    const slow = await startKubeServer({ latencyMs: 120, token: "fixed-token" });
    try {
      expect(slow.token).toBe("fixed-token");
      const started = performance.now();
      await clientsFor(slow.kubeconfigYaml()).core.listNamespace();
      expect(performance.now() - started).toBeGreaterThanOrEqual(120);
    } finally {
      await slow.close();
    }
  });

  it("failNext fails the first matching request once, with a default 500 or the given Status", async () => {
    await namespace();
    server.failNext((req) => req.method === "GET" && req.path.endsWith("/team-a"));
    await core.listNamespace(); // does not match: untouched
    const first = await failure(core.readNamespace({ name: "team-a" }));
    expect(first.code).toBe(500);
    expect(first.status).toMatchObject({ kind: "Status", status: "Failure", reason: "InternalError" });
    expect((await core.readNamespace({ name: "team-a" })).metadata?.name).toBe("team-a");

    server.failNext((req) => req.method === "POST", { status: 503, message: "etcd is unhappy" });
    const second = await failure(core.createNamespace({ body: { metadata: { name: "team-b" } } }));
    expect(second.status).toMatchObject({ code: 503, reason: "ServiceUnavailable", message: "etcd is unhappy" });
    expect(server.get("namespaces", undefined, "team-b")).toBeUndefined();

    server.failNext(() => true, { status: 429, reason: "TooManyRequests", message: "slow down" });
    expect((await failure(core.listNamespace())).status).toMatchObject({ code: 429, reason: "TooManyRequests" });
  });

  it('failNext "hang" never answers: the client times out and close() still returns', async () => {
    await namespace();
    server.failNext((req) => req.path.endsWith("/team-a"), "hang");
    const started = performance.now();
    await expect(core.readNamespace({ name: "team-a" }, timeout(200))).rejects.toMatchObject({ name: "AbortError" });
    expect(performance.now() - started).toBeGreaterThanOrEqual(190);
    expect(server.requests.at(-1)).toEqual({ method: "GET", path: "/api/v1/namespaces/team-a", query: "", status: 0 });
    // Only that one request hung.
    expect((await core.readNamespace({ name: "team-a" }, timeout(2000))).metadata?.name).toBe("team-a");
  });

  it("answers discovery for the core group and apps", async () => {
    const kc = new k8s.KubeConfig();
    kc.loadFromString(server.kubeconfigYaml());
    expect((await kc.makeApiClient(k8s.CoreApi).getAPIVersions()).versions).toEqual(["v1"]);
    const groups = await kc.makeApiClient(k8s.ApisApi).getAPIVersions();
    expect(groups.groups.map((g) => g.preferredVersion?.groupVersion)).toEqual(["apps/v1"]);
  });
});
