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

export const environmentInputSchema = z
  .strictObject({
    name: storableText().trim().min(1, "Enter a name").max(64, "At most 64 characters"),
    slug: environmentSlug,
    orchestrator: z.enum(["kubernetes", "swarm", "compose"], { message: "Choose Kubernetes, Docker Swarm or Docker Compose" }),
    kubeMode: z.enum(["kubeconfig", "in-cluster"]).default("kubeconfig"),
    kubeconfig: text(262_144),
    dockerHost: text(500),
    sshPrivateKey: text(20_000),
    tlsCa: text(20_000),
    tlsCert: text(20_000),
    tlsKey: text(20_000),
  })
  .superRefine((v, ctx) => {
    const issue = (path: string, message: string) => ctx.addIssue({ code: "custom", path: [path], message });
    if (v.orchestrator === "kubernetes") {
      if (v.kubeMode === "kubeconfig") {
        const check = checkKubeconfig(v.kubeconfig);
        if (!check.ok) issue("kubeconfig", check.message);
        // YAML escapes (\0, \ud800) can put what the text check refused into the names saved in clear.
        else if (!Object.values(check.summary).every(isStorableText)) issue("kubeconfig", "A cluster, context or user name contains a NUL or an unpaired surrogate: rename it");
      }
      return;
    }
    if (!DOCKER_HOST.test(v.dockerHost)) {
      issue("dockerHost", "Use unix:///path/to/docker.sock, tcp://host:2376 or ssh://user@host");
      return;
    }
    if (v.dockerHost.startsWith("ssh://") && !PEM_KEY.test(v.sshPrivateKey)) issue("sshPrivateKey", "Paste the SSH private key (-----BEGIN OPENSSH PRIVATE KEY----- …)");
    if (v.dockerHost.startsWith("tcp://")) {
      // A TCP engine without TLS hands root on the node to anyone on the network.
      if (!PEM_CERT.test(v.tlsCa)) issue("tlsCa", "Paste the CA certificate (PEM) the engine's certificate is signed by");
      if (!PEM_CERT.test(v.tlsCert)) issue("tlsCert", "Paste the client certificate (PEM)");
      if (!PEM_KEY.test(v.tlsKey)) issue("tlsKey", "Paste the client key (PEM)");
    }
  });

export type EnvironmentInput = z.input<typeof environmentInputSchema>;
export type EnvironmentValues = z.output<typeof environmentInputSchema>;

export const SECRET_CONNECTION_FIELDS = ["kubeconfig", "sshPrivateKey", "tlsCa", "tlsCert", "tlsKey"] as const;
