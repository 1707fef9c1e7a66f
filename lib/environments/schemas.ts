import { z } from "zod";
import { isStorableText, storableText } from "@/lib/validation/text";
import { checkKubeconfig } from "./kubeconfig";

/** The environment form and the actions share this schema. */

export const ORCHESTRATORS = [
  { value: "kubernetes", label: "Kubernetes" },
  { value: "swarm", label: "Docker Swarm" },
  { value: "compose", label: "Docker Compose" },
] as const;

export const environmentIdField = z.string().regex(/^env-[a-z0-9]{12}$/, "Not an environment id");

/** The namespace is `env-<slug>`: a DNS-1123 label of at most 63 characters, so the slug has 59. */
export const environmentSlug = z
  .string()
  .min(1, "Enter a slug")
  .max(59, "At most 59 characters (the namespace env-<slug> must fit in 63)")
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "Lower-case letters, digits and dashes, starting and ending with a letter or digit");

const PEM_KEY = /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]+-----END [A-Z ]*PRIVATE KEY-----/;
const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----/;
const DOCKER_HOST = /^(unix:\/\/\/\S+|tcp:\/\/[A-Za-z0-9.-]+:\d{1,5}|ssh:\/\/[A-Za-z0-9._-]+@[A-Za-z0-9.-]+(:\d{1,5})?)$/;

const text = (max: number) => storableText().max(max, `At most ${max.toLocaleString("en")} characters`).default("");

const environmentName = storableText().trim().min(1, "Enter a name").max(64, "At most 64 characters");

/** How the server reaches the orchestrator: the address and the secrets that go with it. */
const connectionShape = {
  orchestrator: z.enum(["kubernetes", "swarm", "compose"], { message: "Choose Kubernetes, Docker Swarm or Docker Compose" }),
  kubeMode: z.enum(["kubeconfig", "in-cluster"]).default("kubeconfig"),
  kubeconfig: text(262_144),
  dockerHost: text(500),
  sshPrivateKey: text(20_000),
  tlsCa: text(20_000),
  tlsCert: text(20_000),
  tlsKey: text(20_000),
};
export type ConnectionValues = z.output<z.ZodObject<typeof connectionShape>>;
export const CONNECTION_FIELDS = Object.keys(connectionShape) as (keyof ConnectionValues)[];

export const SECRET_CONNECTION_FIELDS = ["kubeconfig", "sshPrivateKey", "tlsCa", "tlsCert", "tlsKey"] as const;
export type SecretConnectionField = (typeof SECRET_CONNECTION_FIELDS)[number];

/** The secret fields a connection uses: the kubeconfig, the SSH key of ssh://, the TLS material of tcp://. */
export function secretFieldsOf(v: Pick<ConnectionValues, "orchestrator" | "kubeMode" | "dockerHost">): SecretConnectionField[] {
  if (v.orchestrator === "kubernetes") return v.kubeMode === "in-cluster" ? [] : ["kubeconfig"];
  if (v.dockerHost.startsWith("ssh://")) return ["sshPrivateKey"];
  if (v.dockerHost.startsWith("tcp://")) return ["tlsCa", "tlsCert", "tlsKey"];
  return [];
}

const SECRET_MESSAGES: Record<Exclude<SecretConnectionField, "kubeconfig">, [RegExp, string]> = {
  sshPrivateKey: [PEM_KEY, "Paste the SSH private key (-----BEGIN OPENSSH PRIVATE KEY----- …)"],
  // A TCP engine without TLS hands root on the node to anyone on the network.
  tlsCa: [PEM_CERT, "Paste the CA certificate (PEM) the engine's certificate is signed by"],
  tlsCert: [PEM_CERT, "Paste the client certificate (PEM)"],
  tlsKey: [PEM_KEY, "Paste the client key (PEM)"],
};

/**
 * Each field's problem with a connection. On an edit (`keepSecrets`) an empty secret field keeps
 * the saved value: it is checked once merged, on the server.
 */
function checkConnection(v: ConnectionValues, ctx: z.RefinementCtx, keepSecrets: boolean) {
  const issue = (path: string, message: string) => ctx.addIssue({ code: "custom", path: [path], message });
  if (v.orchestrator !== "kubernetes" && !DOCKER_HOST.test(v.dockerHost)) {
    issue("dockerHost", "Use unix:///path/to/docker.sock, tcp://host:2376 or ssh://user@host");
    return;
  }
  for (const field of secretFieldsOf(v)) {
    if (keepSecrets && v[field] === "") continue;
    if (field === "kubeconfig") {
      const check = checkKubeconfig(v.kubeconfig);
      if (!check.ok) issue("kubeconfig", check.message);
      // YAML escapes (\0, \ud800) can put what the text check refused into the names saved in clear.
      else if (!Object.values(check.summary).every(isStorableText)) issue("kubeconfig", "A cluster, context or user name contains a NUL or an unpaired surrogate: rename it");
    } else if (!SECRET_MESSAGES[field][0].test(v[field])) {
      issue(field, SECRET_MESSAGES[field][1]);
    }
  }
}

/** A new environment: the Add form and the create action. */
export const environmentInputSchema = z
  .strictObject({ name: environmentName, slug: environmentSlug, ...connectionShape })
  .superRefine((v, ctx) => checkConnection(v, ctx, false));

export type EnvironmentInput = z.input<typeof environmentInputSchema>;
export type EnvironmentValues = z.output<typeof environmentInputSchema>;

/**
 * An edit: the name and the connection (rotate the kubeconfig or the key, change the host); an
 * empty secret field keeps the saved value. The slug and orchestrator of a saved environment stay.
 */
export const environmentEditSchema = z
  .strictObject({ environmentId: environmentIdField, name: environmentName, ...connectionShape })
  .superRefine((v, ctx) => checkConnection(v, ctx, true));

export type EnvironmentEditInput = z.input<typeof environmentEditSchema>;
export type EnvironmentEditValues = z.output<typeof environmentEditSchema>;

/** Test a typed connection before saving it: a new one, or an edit of a saved one (`environmentId`). */
export const testConnectionSchema = z
  .strictObject({ environmentId: environmentIdField.optional(), ...connectionShape })
  .superRefine((v, ctx) => checkConnection(v, ctx, v.environmentId !== undefined));

export type TestConnectionInput = z.input<typeof testConnectionSchema>;
