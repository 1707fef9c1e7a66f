import { z } from "zod";
import * as rule from "./rules";

/**
 * The registry type catalog: the single source of truth for the nine registry types.
 * Everything else is derived from it: the zod union the actions parse, the fields the form
 * renders, the server host a registry's images live on, and how its credentials log in.
 * Adding a type means adding one entry here (and its tests).
 */

export type FieldKind = "text" | "secret" | "json" | "url" | "select";

export type CredentialField = {
  label: string;
  kind: FieldKind;
  placeholder?: string;
  help?: string;
  options?: readonly { value: string; label: string }[];
  /** Parses and validates the raw string; its messages are shown on the field. */
  schema: z.ZodType<string, string>;
};

/** How a registry's credentials turn into a registry login. */
export type Login =
  | { kind: "none" }
  /** A fixed username/password, valid for these `.dockerconfigjson` server keys. */
  | { kind: "static"; username: string; password: string; serverKeys: string[] }
  /** An AWS key pair exchanged for a 12-hour token with ECR GetAuthorizationToken. */
  | { kind: "ecr"; accessKeyId: string; secretAccessKey: string; region: string };

type Creds<F> = { [K in keyof F]: string };

type TypeDef<T extends string, F extends Record<string, CredentialField>> = {
  type: T;
  label: string;
  description: string;
  fields: F;
  /** The registry host shown to users and matched against image references (`*` = one DNS label). */
  imageHosts: (c: Creds<F>) => string[];
  login: (c: Creds<F>) => Login;
  /**
   * Where the Registry API V2 answers, when not on the image's own host (or the type's first
   * host): Docker Hub's API lives on registry-1.docker.io, a Custom registry at its URL's origin.
   */
  apiOrigin?: (c: Creds<F>) => string;
  /**
   * Where the saved secrets are sent, when not the image hosts: an edit that changes it must
   * type the secrets again (an ECR key pair only ever goes to AWS, in any region).
   */
  sendsCredentialsTo?: (c: Creds<F>) => string;
  /** Images are pulled without credentials: nothing is stored, tested or handed to an orchestrator. */
  anonymous?: true;
};

function defineType<T extends string, F extends Record<string, CredentialField>>(def: TypeDef<T, F>) {
  return def as unknown as TypeDef<T, Record<string, CredentialField>>;
}

const SECRET_HELP = "Stored encrypted. After saving it is never shown again; leave empty when editing to keep it.";

const GCR_HOSTS = ["gcr.io", "us.gcr.io", "eu.gcr.io", "asia.gcr.io"];

const GAR_LOCATIONS = [
  "us", "europe", "asia",
  "us-central1", "us-east1", "us-east4", "us-east5", "us-south1", "us-west1", "us-west2", "us-west3", "us-west4",
  "northamerica-northeast1", "northamerica-northeast2", "southamerica-east1", "southamerica-west1",
  "europe-central2", "europe-north1", "europe-southwest1", "europe-west1", "europe-west2", "europe-west3",
  "europe-west4", "europe-west6", "europe-west8", "europe-west9", "europe-west10", "europe-west12",
  "me-central1", "me-central2", "me-west1", "africa-south1",
  "asia-east1", "asia-east2", "asia-northeast1", "asia-northeast2", "asia-northeast3", "asia-south1",
  "asia-south2", "asia-southeast1", "asia-southeast2", "australia-southeast1", "australia-southeast2",
].map((value) => ({ value, label: value }));

/** Regions with ECR, by their codes (China and GovCloud included: each has its own endpoints). */
const AWS_REGIONS = [
  "us-east-1", "us-east-2", "us-west-1", "us-west-2", "ca-central-1", "ca-west-1", "mx-central-1", "sa-east-1",
  "eu-central-1", "eu-central-2", "eu-west-1", "eu-west-2", "eu-west-3", "eu-north-1", "eu-south-1", "eu-south-2",
  "il-central-1", "me-central-1", "me-south-1", "af-south-1",
  "ap-east-1", "ap-east-2", "ap-south-1", "ap-south-2", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3",
  "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4", "ap-southeast-5", "ap-southeast-7",
  "cn-north-1", "cn-northwest-1", "us-gov-east-1", "us-gov-west-1",
].map((value) => ({ value, label: value }));

const serviceAccountKeyField: CredentialField = {
  label: "Service account key (JSON)",
  kind: "json",
  placeholder: '{\n  "type": "service_account",\n  "project_id": "my-project",\n  …\n}',
  help: "The whole JSON key file of a service account with the Artifact Registry Reader (or Storage Object Viewer for GCR) role. It logs in as _json_key.",
  schema: rule.withRule(rule.jsonKey, rule.serviceAccountKey),
};

/** `https://host:port` → `host:port` (lower-case host; default ports dropped by URL). */
export function hostOfUrl(url: string): string {
  const u = new URL(url);
  return u.port ? `${u.hostname}:${u.port}` : u.hostname;
}

export const REGISTRY_TYPES = [
  defineType({
    type: "GHCR",
    label: "GitHub Container Registry",
    description: "ghcr.io images of a user or organisation",
    fields: {
      username: {
        label: "Username",
        kind: "text",
        placeholder: "octocat",
        help: "The GitHub account the token belongs to.",
        schema: rule.withRule(rule.line("Username", 39), rule.githubUsername),
      },
      token: {
        label: "Token",
        kind: "secret",
        placeholder: "ghp_…",
        help: "Use a token with read:packages scope (or write:packages if pushing). Classic tokens start with ghp_, fine-grained ones with github_pat_.",
        schema: rule.withRule(rule.secretLine("Token", 255), rule.githubToken),
      },
    },
    imageHosts: () => ["ghcr.io"],
    login: (c) => ({ kind: "static", username: c.username, password: c.token, serverKeys: ["ghcr.io"] }),
  }),
  defineType({
    type: "Docker",
    label: "Docker Hub",
    description: "docker.io images, private repositories or higher pull limits",
    fields: {
      username: {
        label: "Docker ID",
        kind: "text",
        placeholder: "mydockerid",
        help: "Your Docker ID (the username on hub.docker.com), not your e-mail address.",
        schema: rule.withRule(rule.line("Docker ID", 30), rule.dockerId),
      },
      password: {
        label: "Access token",
        kind: "secret",
        placeholder: "dckr_pat_…",
        help: "Access token, not your password: create one under Account settings › Personal access tokens (read-only is enough to pull).",
        schema: rule.secretLine("Access token", 1024),
      },
    },
    imageHosts: () => ["docker.io"],
    // kubelet and the Docker CLI look Docker Hub up under this key; registry-1.docker.io would not match.
    login: (c) => ({ kind: "static", username: c.username, password: c.password, serverKeys: ["https://index.docker.io/v1/"] }),
    apiOrigin: () => "https://registry-1.docker.io",
  }),
  defineType({
    type: "ECR",
    label: "Amazon ECR",
    description: "Elastic Container Registry, with an IAM access key",
    fields: {
      accessKeyId: {
        label: "Access key ID",
        kind: "text",
        placeholder: "AKIAIOSFODNN7EXAMPLE",
        help: "An IAM user's key with ecr:GetAuthorizationToken (resource *), ecr:BatchGetImage and ecr:GetDownloadUrlForLayer. The platform exchanges it for 12-hour registry tokens.",
        schema: rule.withRule(rule.line("Access key ID", 20), rule.awsAccessKeyId),
      },
      secretAccessKey: {
        label: "Secret access key",
        kind: "secret",
        placeholder: "40 characters",
        help: SECRET_HELP,
        schema: rule.withRule(rule.secretLine("Secret access key", 100), rule.awsSecretAccessKey),
      },
      region: {
        label: "Region",
        kind: "select",
        options: AWS_REGIONS,
        help: "The AWS region of the registry.",
        schema: rule.withRule(rule.line("Region", 30), rule.awsRegion),
      },
    },
    imageHosts: (c) => [`*.dkr.ecr.${c.region}.amazonaws.com${c.region.startsWith("cn-") ? ".cn" : ""}`],
    login: (c) => ({ kind: "ecr", accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey, region: c.region }),
    sendsCredentialsTo: () => "aws",
  }),
  defineType({
    type: "ACR",
    label: "Azure Container Registry",
    description: "<name>.azurecr.io, with the admin user or a service principal",
    fields: {
      loginServer: {
        label: "Login server",
        kind: "text",
        placeholder: "myregistry.azurecr.io",
        help: "As shown on the registry's Overview page in the Azure portal.",
        schema: rule.withRule(
          rule.line("Login server", 80).transform((v) => v.toLowerCase()),
          rule.acrLoginServer,
        ),
      },
      username: {
        label: "Username",
        kind: "text",
        placeholder: "myregistry or a service principal's app ID",
        help: "The registry name (admin user) or a service principal's application ID.",
        schema: rule.withRule(rule.line("Username", 100), rule.noColon("Username")),
      },
      password: {
        label: "Password",
        kind: "secret",
        help: "The admin password or the service principal's secret. " + SECRET_HELP,
        schema: rule.secretLine("Password", 1024),
      },
    },
    imageHosts: (c) => [c.loginServer],
    login: (c) => ({ kind: "static", username: c.username, password: c.password, serverKeys: [c.loginServer] }),
  }),
  defineType({
    type: "GCR",
    label: "Google Container Registry",
    description: "gcr.io, us.gcr.io, eu.gcr.io and asia.gcr.io",
    fields: { serviceAccountKey: serviceAccountKeyField },
    imageHosts: () => GCR_HOSTS,
    // kubelet matches hosts label by label: gcr.io does not cover us.gcr.io, so each host gets its entry.
    login: (c) => ({ kind: "static", username: "_json_key", password: c.serviceAccountKey, serverKeys: GCR_HOSTS }),
  }),
  defineType({
    type: "GAR",
    label: "Google Artifact Registry",
    description: "<location>-docker.pkg.dev repositories",
    fields: {
      serviceAccountKey: serviceAccountKeyField,
      region: {
        label: "Location",
        kind: "select",
        options: GAR_LOCATIONS,
        help: "The repository's location: a region such as us-central1, or a multi-region (us, europe, asia).",
        schema: rule.withRule(rule.line("Location", 40), rule.garLocation),
      },
    },
    imageHosts: (c) => [`${c.region}-docker.pkg.dev`],
    login: (c) => ({ kind: "static", username: "_json_key", password: c.serviceAccountKey, serverKeys: [`${c.region}-docker.pkg.dev`] }),
  }),
  defineType({
    type: "Quay",
    label: "Red Hat Quay",
    description: "quay.io, with a user or robot account",
    fields: {
      username: {
        label: "Username",
        kind: "text",
        placeholder: "myorg+deployer",
        help: "A Quay user, or better a robot account (namespace+name) with read access.",
        schema: rule.withRule(rule.line("Username", 255), rule.quayUsername),
      },
      token: {
        label: "Token",
        kind: "secret",
        help: "The robot account's token (or an encrypted password). " + SECRET_HELP,
        schema: rule.secretLine("Token", 1024),
      },
    },
    imageHosts: () => ["quay.io"],
    login: (c) => ({ kind: "static", username: c.username, password: c.token, serverKeys: ["quay.io"] }),
  }),
  defineType({
    type: "Custom",
    label: "Custom / Self-hosted",
    description: "Harbor, GitLab, Nexus, CNCF Distribution or any registry speaking the V2 API",
    fields: {
      url: {
        label: "Registry URL",
        kind: "url",
        placeholder: "https://registry.example.com",
        help: "Scheme, host and optional port only. Images from it are named host[:port]/path.",
        schema: rule.withRule(rule.line("Registry URL", 255), rule.registryUrl),
      },
      username: {
        label: "Username",
        kind: "text",
        schema: rule.withRule(rule.line("Username", 255), rule.noColon("Username")),
      },
      password: {
        label: "Password",
        kind: "secret",
        help: "A password or access token. " + SECRET_HELP,
        schema: rule.secretLine("Password", 1024),
      },
    },
    imageHosts: (c) => [hostOfUrl(c.url)],
    login: (c) => ({ kind: "static", username: c.username, password: c.password, serverKeys: [hostOfUrl(c.url)] }),
    // http or https as typed: the scheme is part of where the password goes.
    apiOrigin: (c) => new URL(c.url).origin,
    sendsCredentialsTo: (c) => new URL(c.url).origin,
  }),
  defineType({
    type: "Public",
    label: "Public (no auth)",
    description: "Images anyone can pull: no credentials are stored or sent",
    fields: {},
    imageHosts: () => [],
    login: () => ({ kind: "none" }),
    anonymous: true,
  }),
] as const;

export type RegistryType = (typeof REGISTRY_TYPES)[number]["type"];
export type RegistryTypeDef = (typeof REGISTRY_TYPES)[number];

export const REGISTRY_TYPE_KEYS = REGISTRY_TYPES.map((t) => t.type) as [RegistryType, ...RegistryType[]];

export function registryType(type: string): RegistryTypeDef | undefined {
  return REGISTRY_TYPES.find((t) => t.type === type);
}

export function typeDef(type: RegistryType): RegistryTypeDef {
  return registryType(type)!;
}

/** The names of a type's fields, in form order, and which of them are secret. */
export function fieldNames(type: RegistryType): string[] {
  return Object.keys(typeDef(type).fields);
}

export function isSecretField(field: CredentialField): boolean {
  return field.kind === "secret" || field.kind === "json";
}

export function secretFieldNames(type: RegistryType): string[] {
  return Object.entries(typeDef(type).fields)
    .filter(([, f]) => isSecretField(f))
    .map(([name]) => name);
}

export function emptyCredentials(type: RegistryType): Record<string, string> {
  return Object.fromEntries(fieldNames(type).map((n) => [n, ""]));
}

/** A credential field as the form draws it: the entry's field without its schema, named, and whether it is secret. */
export type FieldView = Omit<CredentialField, "schema"> & { name: string; secret: boolean };

/** A type as the form draws it. Plain data: a server page hands it to the browser, which then needs no zod to draw the form. */
export type RegistryTypeView = { type: RegistryType; label: string; description: string; anonymous: boolean; fields: FieldView[] };

export function registryTypeViews(): RegistryTypeView[] {
  return REGISTRY_TYPES.map((def) => ({
    type: def.type,
    label: def.label,
    description: def.description,
    anonymous: isAnonymous(def.type),
    fields: Object.entries(def.fields).map(([name, f]) => ({
      name,
      label: f.label,
      kind: f.kind,
      placeholder: f.placeholder,
      help: f.help,
      options: f.options,
      secret: isSecretField(f),
    })),
  }));
}

// ── Derived schemas ───────────────────────────────────────────────────────────

export type Credentials = Record<string, string>;

/**
 * "" or the field's own value. Not `z.union([z.literal(""), schema])`: when both fail at once (a
 * NUL, a value far too long) a union reports only "Invalid input" instead of the field's message.
 */
function emptyOr(field: CredentialField): z.ZodType<string, string> {
  return z.string({ message: `${field.label} must be text` }).transform((value, ctx) => {
    if (value === "") return value;
    const parsed = field.schema.safeParse(value);
    if (parsed.success) return parsed.data;
    for (const issue of parsed.error.issues) ctx.addIssue({ code: "custom", message: issue.message, path: issue.path });
    return z.NEVER;
  });
}

function credentialsSchema(def: RegistryTypeDef, opts: { keepSecrets: boolean }) {
  const shape: Record<string, z.ZodType<string, string>> = {};
  for (const [name, field] of Object.entries(def.fields)) {
    // On edit an empty secret means "keep the stored value": it is merged before the full parse.
    shape[name] = opts.keepSecrets && isSecretField(field) ? emptyOr(field) : field.schema;
  }
  return z.strictObject(shape, { error: (iss) => (iss.code === "unrecognized_keys" ? `Unknown field for ${def.label}: ${iss.keys.join(", ")}` : "Credentials must be an object") });
}

const typeError = { error: `Choose a registry type: ${REGISTRY_TYPE_KEYS.join(", ")}` };

/** `{ name, type, credentials }` per type, with `extra` fields beside them (the create action's). */
export function registryInputSchemaWith<E extends z.ZodRawShape>(extra: E) {
  return z.discriminatedUnion(
    "type",
    REGISTRY_TYPES.map((def) =>
      z.strictObject({
        type: z.literal(def.type),
        name: rule.registryName,
        credentials: def.anonymous ? credentialsSchema(def, { keepSecrets: false }).default({}) : credentialsSchema(def, { keepSecrets: false }),
        ...extra,
      }),
    ) as unknown as [z.ZodObject<{ type: z.ZodLiteral<RegistryType>; name: typeof rule.registryName; credentials: z.ZodType<Credentials> } & E>],
    typeError,
  );
}

/** The shape users write and import, and the form resolves against: `{ name, type, credentials }`. */
export const registryInputSchema = registryInputSchemaWith({});

export type RegistryInput = { type: RegistryType; name: string; credentials: Credentials };

/** Just the credentials of one type, complete (used by Test Connection and after merging on edit). */
export function credentialsSchemaFor(type: RegistryType) {
  return credentialsSchema(typeDef(type), { keepSecrets: false });
}

/** The edit form: the type is fixed, an empty secret field keeps the stored value. */
export function updateSchemaFor(type: RegistryType) {
  return z.strictObject({ name: rule.registryName, credentials: credentialsSchema(typeDef(type), { keepSecrets: true }) });
}

// ── Derived facts ─────────────────────────────────────────────────────────────

/** Split a registry's parsed credentials into what may be shown and what is encrypted. */
export function splitCredentials(type: RegistryType, credentials: Credentials) {
  const visible: Credentials = {};
  const secret: Credentials = {};
  for (const [name, field] of Object.entries(typeDef(type).fields)) {
    const value = credentials[name];
    if (value === undefined) continue;
    (isSecretField(field) ? secret : visible)[name] = value;
  }
  return { visible, secret };
}

export function imageHostsOf(type: RegistryType, credentials: Credentials): string[] {
  return typeDef(type).imageHosts(credentials);
}

/** The one host shown in lists for a registry (the first of its image hosts). */
export function serverHostOf(type: RegistryType, credentials: Credentials): string {
  return imageHostsOf(type, credentials)[0] ?? "any (public images)";
}

export function loginOf(type: RegistryType, credentials: Credentials): Login {
  return typeDef(type).login(credentials);
}

/** Public registries: no credentials, no test, no pull secret. */
export function isAnonymous(type: RegistryType): boolean {
  return typeDef(type).anonymous === true;
}

/**
 * Where a registry answers the V2 API: the type's own origin, else the image's host when one is
 * given (GCR's regional hosts, ECR's account host), else the type's first host.
 */
export function apiBaseOf(type: RegistryType, credentials: Credentials, imageDomain?: string): URL | undefined {
  const def = typeDef(type);
  if (def.apiOrigin) return new URL(def.apiOrigin(credentials));
  const host = imageDomain ?? def.imageHosts(credentials)[0];
  return host ? new URL(`https://${host}`) : undefined;
}

/** Where a registry's saved secrets are sent; "" when the fields do not name a place yet. */
export function credentialsDestinationOf(type: RegistryType, credentials: Credentials): string {
  const def = typeDef(type);
  try {
    return def.sendsCredentialsTo ? def.sendsCredentialsTo(credentials) : def.imageHosts(credentials).join(",");
  } catch {
    return ""; // a malformed URL: its own field reports it
  }
}

/**
 * The host an image path without one is on, for a registry that has a single fixed host to
 * offer (GCR: gcr.io); none for ECR, whose host names an account the fields do not hold.
 */
export function defaultImageHostOf(type: RegistryType, credentials: Credentials): string | undefined {
  const first = imageHostsOf(type, credentials)[0];
  return first && !first.includes("*") ? first : undefined;
}
