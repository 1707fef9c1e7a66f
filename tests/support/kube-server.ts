/**
 * An in-memory Kubernetes API server for tests, spoken to by the real `@kubernetes/client-node`
 * through a real kubeconfig (see `kubeconfigYaml`).
 *
 * It serves namespaces, secrets, pods and events (core/v1), deployments and replicasets (apps/v1)
 * with the REST conventions of the real API server: Status bodies for every error, optimistic
 * concurrency on resourceVersion, DNS-1123 names, label and field selectors, and every stored
 * object validated against the official OpenAPI schemas (the `kubernetes-models` package) plus
 * the few semantic checks the real server adds on top (dockerconfigjson secrets, deployment
 * selectors, immutable fields).
 *
 * What it does not do: no controllers of its own (a Deployment's status stays `{}` unless the
 * kubelet simulator in ./kubelet.ts runs against it, through `controllers`), no HTTP watches, no
 * dry runs (those requests get a 400 rather than being silently ignored), and a strategic merge
 * patch is applied as a plain JSON merge patch (lists are replaced, not merged by key).
 */
import { randomBytes, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { isDeepStrictEqual } from "node:util";
import { Deployment } from "kubernetes-models/apps/v1/Deployment";
import { ReplicaSet } from "kubernetes-models/apps/v1/ReplicaSet";
import { Event } from "kubernetes-models/v1/Event";
import { Namespace } from "kubernetes-models/v1/Namespace";
import { Pod } from "kubernetes-models/v1/Pod";
import { Secret } from "kubernetes-models/v1/Secret";
import { stringify } from "yaml";

export type KubeKind = "namespaces" | "secrets" | "deployments" | "replicasets" | "pods" | "events";

/** What a watch would deliver: every stored change, whoever made it. */
export type KubeWatchEvent = { type: "ADDED" | "MODIFIED" | "DELETED"; kind: KubeKind; object: Record<string, unknown> };

/**
 * In-process access for the controllers a real cluster runs (the kubelet simulator): writes with
 * the same validation as the REST API, but not logged as requests and free of injected faults,
 * and a watch of every change.
 */
export interface KubeControllers {
  watch(listener: (event: KubeWatchEvent) => void): () => void;
  create(kind: KubeKind, namespace: string | undefined, body: unknown): Record<string, unknown>;
  /** A whole-object update, as a controller scaling a ReplicaSet makes it. */
  replace(kind: KubeKind, namespace: string | undefined, name: string, body: unknown): Record<string, unknown>;
  /** The status subresource: only `status` changes (and the resourceVersion). */
  writeStatus(kind: KubeKind, namespace: string | undefined, name: string, status: unknown): Record<string, unknown>;
  /** Metadata only (labels, annotations, owner references), as a controller's update of the main resource. */
  writeMetadata(kind: KubeKind, namespace: string | undefined, name: string, metadata: Record<string, unknown>): Record<string, unknown>;
  remove(kind: KubeKind, namespace: string | undefined, name: string): void;
}

/** One request as received. `status` is 0 until it is answered, and stays 0 for a "hang". */
export type KubeRequestLog = { method: string; path: string; query: string; status: number };

export type KubeFault = { status: number; reason?: string; message?: string } | "hang";

export interface KubeServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** The bearer token every request must carry (401 Status otherwise). */
  token: string;
  /** A kubeconfig for this server that `KubeConfig.loadFromString` accepts. */
  kubeconfigYaml(namespaceDefault?: string): string;
  /** Every request received, in order. */
  requests: KubeRequestLog[];
  /** Clears the request log (the stored objects stay). */
  reset(): void;
  /** Delay before every answer, in milliseconds. */
  setLatency(ms: number): void;
  /**
   * Fails the first later request that matches, once: with the given Status (default 500
   * InternalError), or "hang" to never answer it. Several pending faults are tried in order.
   */
  failNext(predicate: (req: { method: string; path: string; query: string }) => boolean, response?: KubeFault): void;
  // The two peeks are `any` on purpose: tests reach deep into the stored JSON (timestamps are
  // strings there, unlike the client's `Date`s) and a typed model would need a guard per level.
  /** A copy of a stored object, or undefined (namespace is ignored for namespaces). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  get(kind: KubeKind, namespace: string | undefined, name: string): any;
  /** Copies of the stored objects, sorted by namespace then name; all namespaces when none is given. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  list(kind: KubeKind, namespace?: string): any[];
  controllers: KubeControllers;
  close(): Promise<void>;
}

type Doc = Record<string, unknown>;
type Cause = { reason: string; message: string; field: string };

const isDoc = (value: unknown): value is Doc => typeof value === "object" && value !== null && !Array.isArray(value);
const docAt = (value: unknown): Doc => (isDoc(value) ? value : {});
/** RFC 3339 at second precision, the way the API server writes timestamps. */
const now = () => new Date().toISOString().replace(/\.\d{3}Z$/, "Z");

// ---------------------------------------------------------------------------------------------
// Status errors

const REASONS: Record<number, string> = {
  400: "BadRequest",
  401: "Unauthorized",
  403: "Forbidden",
  404: "NotFound",
  405: "MethodNotAllowed",
  409: "Conflict",
  415: "UnsupportedMediaType",
  422: "Invalid",
  429: "TooManyRequests",
  500: "InternalError",
  503: "ServiceUnavailable",
  504: "Timeout",
};

class KubeStatusError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly details?: Doc,
    readonly reason = REASONS[code] ?? "Unknown",
  ) {
    super(message);
  }

  toStatus() {
    return {
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: this.message,
      reason: this.reason,
      ...(this.details ? { details: this.details } : {}),
      code: this.code,
    };
  }
}

// ---------------------------------------------------------------------------------------------
// Names, labels and selectors

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const QUALIFIED_NAME_PART = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const SECRET_KEY = /^[-._a-zA-Z0-9]+$/;

function dnsLabelError(value: string): string | undefined {
  if (value.length > 63) return "must be no more than 63 characters";
  if (!DNS1123_LABEL.test(value)) {
    return "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character";
  }
}

function dnsSubdomainError(value: string): string | undefined {
  if (value.length > 253) return "must be no more than 253 characters";
  if (!DNS1123_SUBDOMAIN.test(value)) {
    return "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
  }
}

/** Label and annotation keys: `[prefix/]name`, the prefix a DNS subdomain. */
function qualifiedNameError(key: string): string | undefined {
  const parts = key.split("/");
  if (parts.length > 2) return "a qualified name must be a name with an optional DNS subdomain prefix and '/'";
  const name = parts[parts.length - 1] ?? "";
  if (parts.length === 2) {
    const prefixError = dnsSubdomainError(parts[0] ?? "");
    if (prefixError) return `prefix part ${prefixError}`;
  }
  if (name.length > 63 || !QUALIFIED_NAME_PART.test(name)) {
    return "name part must be 1-63 characters of alphanumerics, '-', '_' or '.', starting and ending with an alphanumeric character";
  }
}

type Requirement = { key: string; operator: string; values: string[] };

/** A `metav1.LabelSelector` as requirements. */
function selectorRequirements(selector: Doc): Requirement[] {
  const fromLabels = Object.entries(docAt(selector.matchLabels)).map(([key, value]) => ({ key, operator: "In", values: [String(value)] }));
  const fromExpressions = (Array.isArray(selector.matchExpressions) ? selector.matchExpressions : []).map((e) => {
    const expr = docAt(e);
    return { key: String(expr.key), operator: String(expr.operator), values: Array.isArray(expr.values) ? expr.values.map(String) : [] };
  });
  return [...fromLabels, ...fromExpressions];
}

/** A `labelSelector` query: `a=b`, `a==b`, `a!=b`, `a`, `!a`, `a in (x,y)`, `a notin (x,y)`, comma-separated. */
function parseLabelSelector(text: string): Requirement[] {
  // Split on the commas that are not inside an `in (...)` list.
  const terms = text
    .split(/,(?![^(]*\))/)
    .map((term) => term.trim())
    .filter(Boolean);
  return terms.map((term) => {
    const exists = /^(!?)([^\s=!(),]+)$/.exec(term);
    if (exists) return { key: exists[2]!, operator: exists[1] ? "DoesNotExist" : "Exists", values: [] };
    const equality = /^([^\s=!(),]+)\s*(==|=|!=)\s*([^\s=!(),]*)$/.exec(term);
    if (equality) return { key: equality[1]!, operator: equality[2] === "!=" ? "NotIn" : "In", values: [equality[3]!] };
    const set = /^([^\s=!(),]+)\s+(in|notin)\s+\(([^()]*)\)$/.exec(term);
    if (set) return { key: set[1]!, operator: set[2] === "in" ? "In" : "NotIn", values: set[3]!.split(",").map((v) => v.trim()) };
    throw new KubeStatusError(400, `unable to parse requirement: ${term}`);
  });
}

function matchesLabels(requirements: Requirement[], labels: unknown): boolean {
  const map = docAt(labels);
  return requirements.every(({ key, operator, values }) => {
    const present = Object.hasOwn(map, key);
    const value = String(map[key]);
    switch (operator) {
      case "In":
        return present && values.includes(value);
      case "NotIn": // like the real server, an absent label matches `!=` and `notin`
        return !present || !values.includes(value);
      case "Exists":
        return present;
      case "DoesNotExist":
        return !present;
      default:
        return false;
    }
  });
}

/**
 * A `fieldSelector` query: `a=b`, `a==b`, `a!=b`, comma-separated, over the fields the real server
 * indexes for the kind; any other field is a 400, as there.
 */
function parseFieldSelector(def: ResourceDef, text: string): { path: string; equal: boolean; value: string }[] {
  return text
    .split(",")
    .map((term) => term.trim())
    .filter(Boolean)
    .map((term) => {
      const match = /^([^\s=!]+)\s*(==|=|!=)\s*(.*)$/.exec(term);
      if (!match) throw new KubeStatusError(400, `invalid selector: '${text}'; can't understand '${term}'`);
      const path = match[1]!;
      if (!["metadata.name", "metadata.namespace", ...(def.fields ?? [])].includes(path)) throw new KubeStatusError(400, `field label not supported: ${path}`);
      return { path, equal: match[2] !== "!=", value: match[3]! };
    });
}

function matchesFields(requirements: { path: string; equal: boolean; value: string }[], doc: Doc): boolean {
  return requirements.every(({ path, equal, value }) => {
    let at: unknown = doc;
    for (const part of path.split(".")) at = docAt(at)[part];
    // An absent field reads as the empty string.
    return (String(at ?? "") === value) === equal;
  });
}

// ---------------------------------------------------------------------------------------------
// Field errors (the `details.causes` of a 422)

const invalid = (field: string, value: unknown, detail: string): Cause => ({
  reason: "FieldValueInvalid",
  message: `Invalid value: ${JSON.stringify(value)}: ${detail}`,
  field,
});
const required = (field: string): Cause => ({ reason: "FieldValueRequired", message: "Required value", field });

function labelCauses(labels: unknown, field: string): Cause[] {
  return Object.entries(docAt(labels)).flatMap(([key, value]) => {
    const causes: Cause[] = [];
    const keyError = qualifiedNameError(key);
    if (keyError) causes.push(invalid(field, key, keyError));
    if (typeof value === "string" && (value.length > 63 || !LABEL_VALUE.test(value))) {
      causes.push(invalid(field, value, "a valid label must be an empty string or at most 63 alphanumerics, '-', '_' or '.', starting and ending with an alphanumeric character"));
    }
    return causes;
  });
}

function annotationCauses(annotations: unknown): Cause[] {
  return Object.keys(docAt(annotations)).flatMap((key) => {
    const keyError = qualifiedNameError(key);
    return keyError ? [invalid("metadata.annotations", key, keyError)] : [];
  });
}

/** `/spec/template/spec` + `containers` → `spec.template.spec.containers` (JSON pointer to field path). */
function fieldPath(instancePath: string, child?: string): string {
  const segments = instancePath
    .split("/")
    .slice(1)
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
  if (child !== undefined) segments.push(child);
  let path = "";
  for (const s of segments) {
    // Identifiers join with dots; indexes and keys like `.dockerconfigjson` go in brackets.
    if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(s)) path = path ? `${path}.${s}` : s;
    else path = `${path}[${s}]`;
  }
  return path;
}

/** OpenAPI schema errors, from the ajv `ValidationError` that `kubernetes-models` throws. */
function schemaCauses(validate: (doc: Doc) => void, doc: Doc): Cause[] {
  try {
    validate(doc);
    return [];
  } catch (err) {
    const errors = (err as { errors?: unknown }).errors;
    if (!Array.isArray(errors)) throw err;
    return errors.map((e: { instancePath?: string; message?: string; params?: { missingProperty?: string } }) => {
      const missing = e.params?.missingProperty;
      return missing !== undefined
        ? required(fieldPath(e.instancePath ?? "", missing))
        : { reason: "FieldValueInvalid", message: e.message ?? "invalid", field: fieldPath(e.instancePath ?? "") };
    });
  }
}

// ---------------------------------------------------------------------------------------------
// Resources

type ResourceDef = {
  plural: KubeKind;
  kind: string;
  apiVersion: string;
  group: string;
  namespaced: boolean;
  nameError: (name: string) => string | undefined;
  /** Throws the `kubernetes-models` validation error. */
  schema: (doc: Doc) => void;
  /** Top-level fields the server owns: set to these on create, carried over from the stored object on update. */
  owned: Doc;
  /** Whether metadata.generation counts spec changes. */
  tracksGeneration: boolean;
  /** Defaulting and write-only field conversion, before validation. */
  normalize?: (doc: Doc) => void;
  /** Semantic checks beyond the schema; `old` is the stored object on update. */
  checks?: (doc: Doc, old: Doc | undefined) => Cause[];
  /** Fields a fieldSelector may name besides metadata.name and metadata.namespace. */
  fields?: string[];
};

function normalizeSecret(doc: Doc) {
  // `stringData` is write-only: merged into `data` (base64) and never stored.
  const stringData = docAt(doc.stringData);
  const encoded = Object.entries(stringData).map(([key, value]) => {
    if (typeof value !== "string") throw new KubeStatusError(400, `stringData[${key}] must be a string`);
    return [key, Buffer.from(value, "utf8").toString("base64")];
  });
  if (encoded.length > 0) doc.data = { ...docAt(doc.data), ...Object.fromEntries(encoded) };
  delete doc.stringData;
  doc.type ??= "Opaque";
}

function secretChecks(doc: Doc, old: Doc | undefined): Cause[] {
  const data = docAt(doc.data);
  const causes = Object.keys(data)
    .filter((key) => key.length > 253 || !SECRET_KEY.test(key))
    .map((key) => invalid("data", key, "a valid config key must consist of alphanumeric characters, '-', '_' or '.'"));
  if (old && old.type !== doc.type) causes.push(invalid("type", doc.type, "field is immutable"));
  if (doc.type === "kubernetes.io/dockerconfigjson") {
    const raw = data[".dockerconfigjson"];
    if (typeof raw !== "string") {
      causes.push(required("data[.dockerconfigjson]"));
    } else {
      let parsed: unknown;
      try {
        parsed = JSON.parse(Buffer.from(raw, "base64").toString("utf8"));
      } catch {
        parsed = undefined;
      }
      // The real server never echoes secret data in errors.
      if (!isDoc(parsed)) causes.push(invalid("data[.dockerconfigjson]", "<secret contents redacted>", "must be a JSON object"));
    }
  }
  return causes;
}

function normalizeDeployment(doc: Doc) {
  if (isDoc(doc.spec)) doc.spec.replicas ??= 1;
}

function deploymentChecks(doc: Doc, old: Doc | undefined): Cause[] {
  const spec = docAt(doc.spec);
  const template = docAt(spec.template);
  const templateLabels = docAt(template.metadata).labels;
  const causes = labelCauses(templateLabels, "spec.template.metadata.labels");
  if (isDoc(spec.selector)) {
    const requirements = selectorRequirements(spec.selector);
    if (requirements.length === 0) causes.push(invalid("spec.selector", spec.selector, "empty selector is invalid for deployment"));
    else if (!matchesLabels(requirements, templateLabels)) causes.push(invalid("spec.template.metadata.labels", templateLabels ?? {}, "`selector` does not match template `labels`"));
    causes.push(...labelCauses(spec.selector.matchLabels, "spec.selector.matchLabels"));
    if (old && !isDeepStrictEqual(spec.selector, docAt(old.spec).selector)) causes.push(invalid("spec.selector", spec.selector, "field is immutable"));
  }
  if (typeof spec.replicas === "number" && spec.replicas < 0) causes.push(invalid("spec.replicas", spec.replicas, "must be greater than or equal to 0"));
  const containers = docAt(template.spec).containers;
  if (Array.isArray(containers)) {
    // The schema allows an empty list; the server does not.
    if (containers.length === 0) causes.push(required("spec.template.spec.containers"));
    containers.forEach((c: unknown, i) => {
      const container = docAt(c);
      const field = `spec.template.spec.containers[${i}]`;
      const nameError = typeof container.name === "string" ? dnsLabelError(container.name) : undefined;
      if (nameError) causes.push(invalid(`${field}.name`, container.name, nameError));
      if (!container.image) causes.push(required(`${field}.image`));
    });
  }
  return causes;
}

const RESOURCES: Record<KubeKind, ResourceDef> = {
  namespaces: {
    plural: "namespaces",
    kind: "Namespace",
    apiVersion: "v1",
    group: "",
    namespaced: false,
    nameError: dnsLabelError,
    schema: (doc) => new Namespace(doc as ConstructorParameters<typeof Namespace>[0]).validate(),
    owned: { spec: { finalizers: ["kubernetes"] }, status: { phase: "Active" } },
    tracksGeneration: false,
    // The real server labels every namespace with its own name.
    normalize: (doc) => {
      const meta = docAt(doc.metadata);
      meta.labels = { ...docAt(meta.labels), "kubernetes.io/metadata.name": meta.name };
    },
  },
  secrets: {
    plural: "secrets",
    kind: "Secret",
    apiVersion: "v1",
    group: "",
    namespaced: true,
    nameError: dnsSubdomainError,
    schema: (doc) => new Secret(doc as ConstructorParameters<typeof Secret>[0]).validate(),
    owned: {},
    tracksGeneration: false,
    normalize: normalizeSecret,
    checks: secretChecks,
  },
  deployments: {
    plural: "deployments",
    kind: "Deployment",
    apiVersion: "apps/v1",
    group: "apps",
    namespaced: true,
    nameError: dnsSubdomainError,
    schema: (doc) => new Deployment(doc as ConstructorParameters<typeof Deployment>[0]).validate(),
    // Status belongs to the (absent) controller: writes to the main resource never change it.
    owned: { status: {} },
    tracksGeneration: true,
    normalize: normalizeDeployment,
    checks: deploymentChecks,
  },
  replicasets: {
    plural: "replicasets",
    kind: "ReplicaSet",
    apiVersion: "apps/v1",
    group: "apps",
    namespaced: true,
    nameError: dnsSubdomainError,
    schema: (doc) => new ReplicaSet(doc as ConstructorParameters<typeof ReplicaSet>[0]).validate(),
    owned: { status: { replicas: 0 } },
    tracksGeneration: true,
    fields: ["status.replicas"],
  },
  pods: {
    plural: "pods",
    kind: "Pod",
    apiVersion: "v1",
    group: "",
    namespaced: true,
    nameError: dnsSubdomainError,
    schema: (doc) => new Pod(doc as ConstructorParameters<typeof Pod>[0]).validate(),
    // Status is the kubelet's: a new pod is Pending until a node reports on it.
    owned: { status: { phase: "Pending", qosClass: "BestEffort" } },
    tracksGeneration: false,
    fields: ["spec.nodeName", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName", "status.phase", "status.podIP", "status.nominatedNodeName"],
  },
  events: {
    plural: "events",
    kind: "Event",
    apiVersion: "v1",
    group: "",
    namespaced: true,
    nameError: dnsSubdomainError,
    schema: (doc) => new Event(doc as ConstructorParameters<typeof Event>[0]).validate(),
    owned: {},
    tracksGeneration: false,
    fields: [
      "involvedObject.kind",
      "involvedObject.namespace",
      "involvedObject.name",
      "involvedObject.uid",
      "involvedObject.apiVersion",
      "involvedObject.resourceVersion",
      "involvedObject.fieldPath",
      "reason",
      "reportingComponent",
      "source",
      "type",
    ],
  },
};

/** `secrets` or `deployments.apps`, as the real server names resources in messages. */
const qualifiedResource = (def: ResourceDef) => (def.group ? `${def.plural}.${def.group}` : def.plural);
const resourceDetails = (def: ResourceDef, name: string): Doc => ({ name, ...(def.group ? { group: def.group } : {}), kind: def.plural });

const notFound = (def: ResourceDef, name: string) => new KubeStatusError(404, `${qualifiedResource(def)} "${name}" not found`, resourceDetails(def, name));

const conflict = (def: ResourceDef, name: string, why: string) =>
  new KubeStatusError(409, `Operation cannot be fulfilled on ${qualifiedResource(def)} "${name}": ${why}`, resourceDetails(def, name));

function invalidError(def: ResourceDef, name: string, causes: Cause[]) {
  const summary = causes.map((c) => `${c.field}: ${c.message}`);
  const kind = def.group ? `${def.kind}.${def.group}` : def.kind;
  return new KubeStatusError(422, `${kind} "${name}" is invalid: ${summary.length === 1 ? summary[0] : `[${summary.join(", ")}]`}`, {
    name,
    ...(def.group ? { group: def.group } : {}),
    kind: def.kind,
    causes,
  });
}

// ---------------------------------------------------------------------------------------------
// Patches

const MERGE_PATCH = "application/merge-patch+json";
const STRATEGIC_MERGE_PATCH = "application/strategic-merge-patch+json";
const JSON_PATCH = "application/json-patch+json";

/** RFC 7386: objects merge recursively, `null` deletes, anything else replaces. */
function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isDoc(patch)) return patch;
  const out: Doc = isDoc(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = mergePatch(out[key], value);
  }
  return out;
}

/** Strategic-merge directives (`$patch`, `$setElementOrder/...`) would be stored as data by a plain merge. */
function hasDirective(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(hasDirective);
  return isDoc(value) && Object.entries(value).some(([key, v]) => key.startsWith("$") || hasDirective(v));
}

const patchError = (message: string) => new KubeStatusError(422, `the server rejected our request due to an error in our request: ${message}`);

/** RFC 6902 on a copy of `doc`: add, remove, replace, move, copy, test. */
function jsonPatch(doc: Doc, operations: unknown): unknown {
  if (!Array.isArray(operations)) throw new KubeStatusError(400, "a JSON patch must be an array of operations");
  // The document hangs off a holder so that the root pointer "" is just another key.
  const holder: Doc = { root: structuredClone(doc) };
  const tokens = (pointer: unknown): string[] => {
    if (typeof pointer !== "string" || (pointer !== "" && !pointer.startsWith("/"))) throw patchError(`invalid JSON pointer ${JSON.stringify(pointer)}`);
    return ["root", ...pointer.split("/").slice(1).map((t) => t.replace(/~1/g, "/").replace(/~0/g, "~"))];
  };
  const parentOf = (path: string[]): { container: unknown; key: string } => {
    let container: unknown = holder;
    for (const token of path.slice(0, -1)) {
      container = Array.isArray(container) ? container[Number(token)] : isDoc(container) ? container[token] : undefined;
      if (container === undefined) throw patchError(`path ${JSON.stringify(path.slice(1).join("/"))} does not exist`);
    }
    return { container, key: path[path.length - 1]! };
  };
  const arrayIndex = (array: unknown[], key: string, allowEnd: boolean) => {
    const index = key === "-" && allowEnd ? array.length : /^\d+$/.test(key) ? Number(key) : NaN;
    if (!(index <= (allowEnd ? array.length : array.length - 1))) throw patchError(`array index ${key} is out of range`);
    return index;
  };
  const read = (path: string[]): unknown => {
    const { container, key } = parentOf(path);
    const exists = Array.isArray(container) ? /^\d+$/.test(key) && Number(key) < container.length : isDoc(container) && Object.hasOwn(container, key);
    if (!exists) throw patchError(`path ${JSON.stringify(path.slice(1).join("/"))} does not exist`);
    return (container as Doc)[key];
  };
  const add = (path: string[], value: unknown) => {
    const { container, key } = parentOf(path);
    if (Array.isArray(container)) container.splice(arrayIndex(container, key, true), 0, value);
    else if (isDoc(container)) container[key] = value;
    else throw patchError(`cannot add below a ${typeof container}`);
  };
  const remove = (path: string[]) => {
    read(path);
    const { container, key } = parentOf(path);
    if (Array.isArray(container)) container.splice(arrayIndex(container, key, false), 1);
    else delete (container as Doc)[key];
  };
  for (const raw of operations) {
    const op = docAt(raw);
    const path = tokens(op.path);
    switch (op.op) {
      case "add":
        add(path, structuredClone(op.value));
        break;
      case "remove":
        remove(path);
        break;
      case "replace":
        remove(path);
        add(path, structuredClone(op.value));
        break;
      case "move": {
        const from = tokens(op.from);
        const value = read(from);
        remove(from);
        add(path, value);
        break;
      }
      case "copy":
        add(path, structuredClone(read(tokens(op.from))));
        break;
      case "test":
        if (!isDeepStrictEqual(read(path), op.value)) throw patchError(`test operation failed at ${JSON.stringify(op.path)}`);
        break;
      default:
        throw new KubeStatusError(400, `unknown JSON patch operation ${JSON.stringify(op.op)}`);
    }
  }
  return holder.root;
}

// ---------------------------------------------------------------------------------------------
// Storage

class Store {
  private revision = 0;
  private readonly objects: Record<KubeKind, Map<string, Doc>> = {
    namespaces: new Map(),
    secrets: new Map(),
    deployments: new Map(),
    replicasets: new Map(),
    pods: new Map(),
    events: new Map(),
  };
  private readonly listeners = new Set<(event: KubeWatchEvent) => void>();

  watch(listener: (event: KubeWatchEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(type: KubeWatchEvent["type"], def: ResourceDef, doc: Doc) {
    for (const listener of this.listeners) listener({ type, kind: def.plural, object: structuredClone(doc) });
  }

  private static key(def: ResourceDef, namespace: string | undefined, name: string) {
    return `${def.namespaced ? namespace : ""}/${name}`;
  }

  private nextVersion() {
    this.revision += 1;
    return String(this.revision);
  }

  peek(def: ResourceDef, namespace: string | undefined, name: string): Doc | undefined {
    const found = this.objects[def.plural].get(Store.key(def, namespace, name));
    return found && structuredClone(found);
  }

  all(def: ResourceDef, namespace?: string): Doc[] {
    const items = [...this.objects[def.plural].values()].filter((o) => !def.namespaced || namespace === undefined || docAt(o.metadata).namespace === namespace);
    const sortKey = (o: Doc) => `${docAt(o.metadata).namespace ?? ""}/${docAt(o.metadata).name}`;
    return items.sort((a, b) => sortKey(a).localeCompare(sortKey(b))).map((o) => structuredClone(o));
  }

  read(def: ResourceDef, namespace: string | undefined, name: string): Doc {
    const found = this.peek(def, namespace, name);
    if (!found) throw notFound(def, name);
    return found;
  }

  list(def: ResourceDef, namespace: string | undefined, labelSelector: string | null, fieldSelector: string | null = null) {
    const requirements = parseLabelSelector(labelSelector ?? "");
    const fields = parseFieldSelector(def, fieldSelector ?? "");
    const items = this.all(def, namespace)
      .filter((o) => matchesLabels(requirements, docAt(o.metadata).labels) && matchesFields(fields, o))
      // List items carry no apiVersion/kind on the wire; the list itself does.
      .map((o) => {
        const item = { ...o };
        delete item.apiVersion;
        delete item.kind;
        return item;
      });
    return { kind: `${def.kind}List`, apiVersion: def.apiVersion, metadata: { resourceVersion: String(this.revision) }, items };
  }

  create(def: ResourceDef, namespace: string | undefined, body: unknown): Doc {
    const doc = this.typed(def, body);
    const meta = docAt(doc.metadata);
    doc.metadata = meta;
    if (def.namespaced) this.bindNamespace(meta, namespace!);
    const name = typeof meta.name === "string" ? meta.name : "";
    if (!name) throw invalidError(def, name, [required("metadata.name")]);
    def.normalize?.(doc);
    Object.assign(doc, structuredClone(def.owned));
    delete meta.resourceVersion;
    meta.uid = randomUUID();
    meta.creationTimestamp = now();
    if (def.tracksGeneration) meta.generation = 1;
    this.validate(def, doc, undefined);
    const key = Store.key(def, namespace, name);
    if (this.objects[def.plural].has(key)) {
      throw new KubeStatusError(409, `${qualifiedResource(def)} "${name}" already exists`, resourceDetails(def, name), "AlreadyExists");
    }
    meta.resourceVersion = this.nextVersion();
    this.objects[def.plural].set(key, doc);
    this.emit("ADDED", def, doc);
    return structuredClone(doc);
  }

  replace(def: ResourceDef, namespace: string | undefined, name: string, body: unknown): Doc {
    const doc = this.typed(def, body);
    const meta = docAt(doc.metadata);
    doc.metadata = meta;
    if (meta.name !== name) throw new KubeStatusError(400, `the name of the object (${String(meta.name ?? "")}) does not match the name on the URL (${name})`);
    if (def.namespaced) this.bindNamespace(meta, namespace!);
    const old = this.read(def, namespace, name);
    const oldMeta = docAt(old.metadata);
    // An update without a resourceVersion is unconditional (last write wins), as for these types in Kubernetes.
    if (meta.resourceVersion !== undefined && meta.resourceVersion !== oldMeta.resourceVersion) {
      throw conflict(def, name, "the object has been modified; please apply your changes to the latest version and try again");
    }
    def.normalize?.(doc);
    for (const field of Object.keys(def.owned)) doc[field] = structuredClone(old[field]);
    meta.uid = oldMeta.uid;
    meta.creationTimestamp = oldMeta.creationTimestamp;
    if (def.tracksGeneration) meta.generation = Number(oldMeta.generation) + (isDeepStrictEqual(doc.spec, old.spec) ? 0 : 1);
    this.validate(def, doc, old);
    meta.resourceVersion = this.nextVersion();
    this.objects[def.plural].set(Store.key(def, namespace, name), doc);
    this.emit("MODIFIED", def, doc);
    return structuredClone(doc);
  }

  /** The status subresource: everything but `status` stays as stored. */
  writeStatus(def: ResourceDef, namespace: string | undefined, name: string, status: unknown): Doc {
    const doc = this.read(def, namespace, name);
    doc.status = structuredClone(status);
    return this.store(def, namespace, name, doc);
  }

  /** A controller's metadata update: labels, annotations and owner references; never the spec. */
  writeMetadata(def: ResourceDef, namespace: string | undefined, name: string, metadata: Doc): Doc {
    const doc = this.read(def, namespace, name);
    const meta = docAt(doc.metadata);
    for (const field of ["labels", "annotations", "ownerReferences"]) if (field in metadata) meta[field] = structuredClone(metadata[field]);
    return this.store(def, namespace, name, doc);
  }

  private store(def: ResourceDef, namespace: string | undefined, name: string, doc: Doc): Doc {
    this.validate(def, doc, doc);
    docAt(doc.metadata).resourceVersion = this.nextVersion();
    this.objects[def.plural].set(Store.key(def, namespace, name), doc);
    this.emit("MODIFIED", def, doc);
    return structuredClone(doc);
  }

  patch(def: ResourceDef, namespace: string | undefined, name: string, body: unknown, contentType: string): Doc {
    const old = this.read(def, namespace, name);
    const mediaType = contentType.split(";")[0]!.trim().toLowerCase();
    let patched: unknown;
    if (mediaType === MERGE_PATCH || mediaType === STRATEGIC_MERGE_PATCH) {
      if (!isDoc(body)) throw new KubeStatusError(400, "a merge patch must be a JSON object");
      if (mediaType === STRATEGIC_MERGE_PATCH && hasDirective(body)) {
        throw new KubeStatusError(415, "strategic merge patch directives ($patch, $setElementOrder, ...) are not supported by the test server");
      }
      patched = mergePatch(old, body);
    } else if (mediaType === JSON_PATCH) {
      patched = jsonPatch(old, body);
    } else {
      throw new KubeStatusError(415, `the body of the request was in an unknown format - accepted media types include: ${JSON_PATCH}, ${MERGE_PATCH}, ${STRATEGIC_MERGE_PATCH}`);
    }
    // The patched object keeps the stored resourceVersion unless the patch set one: then it is a precondition.
    return this.replace(def, namespace, name, patched);
  }

  remove(def: ResourceDef, namespace: string | undefined, name: string, body: unknown) {
    const old = this.read(def, namespace, name);
    const oldMeta = docAt(old.metadata);
    const preconditions = docAt(docAt(body).preconditions);
    for (const field of ["uid", "resourceVersion"] as const) {
      const expected = preconditions[field];
      if (expected !== undefined && expected !== null && expected !== oldMeta[field]) {
        throw conflict(def, name, `Precondition failed: ${field} in precondition: ${String(expected)}, ${field} in object meta: ${String(oldMeta[field])}`);
      }
    }
    this.objects[def.plural].delete(Store.key(def, namespace, name));
    const resourceVersion = this.nextVersion();
    this.emit("DELETED", def, old);
    if (def.plural !== "namespaces") {
      return { kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", details: { ...resourceDetails(def, name), uid: oldMeta.uid } };
    }
    // A real namespace lingers in Terminating while its contents go; here they go at once.
    for (const kind of ["secrets", "deployments", "replicasets", "pods", "events"] as const) {
      for (const [key, o] of this.objects[kind]) {
        if (docAt(o.metadata).namespace !== name) continue;
        this.objects[kind].delete(key);
        this.emit("DELETED", RESOURCES[kind], o);
      }
    }
    return { ...old, metadata: { ...oldMeta, resourceVersion, deletionTimestamp: now() }, status: { phase: "Terminating" } };
  }

  /** A JSON object with the expected apiVersion/kind (filled in when absent). */
  private typed(def: ResourceDef, body: unknown): Doc {
    if (!isDoc(body)) throw new KubeStatusError(400, "the request body must be a JSON object");
    if ((body.apiVersion !== undefined && body.apiVersion !== def.apiVersion) || (body.kind !== undefined && body.kind !== def.kind)) {
      throw new KubeStatusError(400, `the object (${String(body.apiVersion)}, ${String(body.kind)}) is not the expected ${def.apiVersion}, ${def.kind}`);
    }
    return { ...structuredClone(body), apiVersion: def.apiVersion, kind: def.kind };
  }

  private bindNamespace(meta: Doc, namespace: string) {
    if (meta.namespace !== undefined && meta.namespace !== namespace) {
      throw new KubeStatusError(400, "the namespace of the provided object does not match the namespace sent on the request");
    }
    meta.namespace = namespace;
    if (!this.objects.namespaces.has(Store.key(RESOURCES.namespaces, undefined, namespace))) throw notFound(RESOURCES.namespaces, namespace);
  }

  private validate(def: ResourceDef, doc: Doc, old: Doc | undefined) {
    const meta = docAt(doc.metadata);
    const name = String(meta.name);
    const nameError = def.nameError(name);
    const causes = [
      ...(nameError ? [invalid("metadata.name", name, nameError)] : []),
      ...labelCauses(meta.labels, "metadata.labels"),
      ...annotationCauses(meta.annotations),
      ...schemaCauses(def.schema, doc),
      ...(def.checks?.(doc, old) ?? []),
    ];
    if (causes.length > 0) throw invalidError(def, name, causes);
  }
}

// ---------------------------------------------------------------------------------------------
// HTTP

type Route = { def: ResourceDef; namespace?: string; name?: string };

/** `/api/v1/namespaces[/{name}]`, `/api/v1/namespaces/{ns}/secrets[/{name}]`, `/apis/apps/v1/namespaces/{ns}/deployments[/{name}]`. */
function routeOf(pathname: string): Route | undefined {
  let segments: string[];
  try {
    segments = pathname.split("/").filter(Boolean).map(decodeURIComponent);
  } catch {
    return undefined;
  }
  const [group, rest] =
    segments[0] === "api" && segments[1] === "v1"
      ? ["", segments.slice(2)]
      : segments[0] === "apis" && segments[1] === "apps" && segments[2] === "v1"
        ? ["apps", segments.slice(3)]
        : [undefined, []];
  if (group === undefined || rest[0] !== "namespaces" || rest.length > 4) return undefined;
  if (rest.length <= 2) return group === "" ? { def: RESOURCES.namespaces, name: rest[1] } : undefined;
  const def = Object.values(RESOURCES).find((d) => d.namespaced && d.group === group && d.plural === rest[2]);
  return def && { def, namespace: rest[1], name: rest[3] };
}

const DISCOVERY: Record<string, unknown> = {
  "/api": { kind: "APIVersions", versions: ["v1"], serverAddressByClientCIDRs: [] },
  "/apis": {
    kind: "APIGroupList",
    apiVersion: "v1",
    groups: [{ name: "apps", versions: [{ groupVersion: "apps/v1", version: "v1" }], preferredVersion: { groupVersion: "apps/v1", version: "v1" } }],
  },
};

/** Query parameters whose meaning this server does not implement: refused rather than ignored. */
const UNSUPPORTED_QUERY = ["watch", "dryRun"];

function dispatch(store: Store, method: string, url: URL, body: unknown, contentType: string): { code: number; body: unknown } {
  const discovery = DISCOVERY[url.pathname];
  if (method === "GET" && discovery) return { code: 200, body: discovery };
  const route = routeOf(url.pathname);
  if (!route) throw new KubeStatusError(404, "the server could not find the requested resource", {});
  const unsupported = UNSUPPORTED_QUERY.find((p) => url.searchParams.has(p));
  if (unsupported) throw new KubeStatusError(400, `the kube test server does not support the ${unsupported} parameter`);
  const { def, namespace, name } = route;
  if (name === undefined) {
    if (method === "GET") return { code: 200, body: store.list(def, namespace, url.searchParams.get("labelSelector"), url.searchParams.get("fieldSelector")) };
    if (method === "POST") return { code: 201, body: store.create(def, namespace, body) };
  } else {
    if (method === "GET") return { code: 200, body: store.read(def, namespace, name) };
    if (method === "PUT") return { code: 200, body: store.replace(def, namespace, name, body) };
    if (method === "PATCH") return { code: 200, body: store.patch(def, namespace, name, body, contentType) };
    if (method === "DELETE") return { code: 200, body: store.remove(def, namespace, name, body) };
  }
  throw new KubeStatusError(405, `the server does not allow this method on the requested resource`);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

export async function startKubeServer(opts: { token?: string; latencyMs?: number } = {}): Promise<KubeServer> {
  const token = opts.token ?? randomBytes(16).toString("hex");
  let latencyMs = opts.latencyMs ?? 0;
  const requests: KubeRequestLog[] = [];
  const faults: { predicate: (req: { method: string; path: string; query: string }) => boolean; response: KubeFault }[] = [];
  const store = new Store();

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const entry: KubeRequestLog = { method: req.method ?? "GET", path: url.pathname, query: url.search.replace(/^\?/, ""), status: 0 };
    requests.push(entry);
    const send = (code: number, payload: unknown) => {
      entry.status = code;
      res.writeHead(code, { "content-type": "application/json" });
      res.end(JSON.stringify(payload));
    };
    const answer = async () => {
      const text = await readBody(req);
      if (latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, latencyMs));
      if (req.headers.authorization !== `Bearer ${token}`) throw new KubeStatusError(401, "Unauthorized");
      const faultIndex = faults.findIndex((f) => f.predicate(entry));
      if (faultIndex >= 0) {
        const { response } = faults.splice(faultIndex, 1)[0]!;
        if (response === "hang") return; // the socket stays open until the client gives up or close()
        throw new KubeStatusError(response.status, response.message ?? "injected by failNext", undefined, response.reason);
      }
      let body: unknown;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch (err) {
        throw new KubeStatusError(400, `error decoding the request body: ${(err as Error).message}`);
      }
      const result = dispatch(store, entry.method, url, body, req.headers["content-type"] ?? "");
      send(result.code, result.body);
    };
    answer().catch((err: unknown) => {
      const status = err instanceof KubeStatusError ? err : new KubeStatusError(500, `Internal error occurred: ${(err as Error).message}`);
      if (!res.headersSent && !res.destroyed) send(status.code, status.toStatus());
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    token,
    kubeconfigYaml(namespaceDefault) {
      return stringify({
        apiVersion: "v1",
        kind: "Config",
        // client-node refuses an http:// server unless TLS verification is (nominally) skipped.
        clusters: [{ name: "kube-test", cluster: { server: url, "insecure-skip-tls-verify": true } }],
        users: [{ name: "kube-test", user: { token } }],
        contexts: [{ name: "kube-test", context: { cluster: "kube-test", user: "kube-test", ...(namespaceDefault ? { namespace: namespaceDefault } : {}) } }],
        "current-context": "kube-test",
      });
    },
    requests,
    reset() {
      requests.length = 0;
    },
    setLatency(ms) {
      latencyMs = ms;
    },
    failNext(predicate, response = { status: 500 }) {
      faults.push({ predicate, response });
    },
    get(kind, namespace, name) {
      return store.peek(RESOURCES[kind], namespace, name);
    },
    list(kind, namespace) {
      return store.all(RESOURCES[kind], namespace);
    },
    controllers: {
      watch: (listener) => store.watch(listener),
      create: (kind, namespace, body) => store.create(RESOURCES[kind], namespace, body),
      replace: (kind, namespace, name, body) => store.replace(RESOURCES[kind], namespace, name, body),
      writeStatus: (kind, namespace, name, status) => store.writeStatus(RESOURCES[kind], namespace, name, status),
      writeMetadata: (kind, namespace, name, metadata) => store.writeMetadata(RESOURCES[kind], namespace, name, metadata),
      remove: (kind, namespace, name) => void store.remove(RESOURCES[kind], namespace, name, undefined),
    },
    close() {
      // Hung requests would otherwise keep close() waiting forever.
      server.closeAllConnections();
      return new Promise((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
    },
  };
}
