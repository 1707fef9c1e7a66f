import { z } from "zod";
import { storableText } from "@/lib/validation/text";

/**
 * Field-level validation rules for registry credentials, each with the message a user can act on.
 * Kept free of server-only code: the form runs them in the browser, the actions on the server.
 */

// Control characters other than tab/newline/carriage return never belong in a credential.
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;
const CONTROL_OR_NEWLINE = /[\u0000-\u001f\u007f]/;

/** A required single-line string: trimmed, bounded, without control characters. */
export function line(label: string, max = 255) {
  return storableText({ message: `${label} must be text` })
    .max(max * 4, `${label} must be at most ${max} characters`)
    .transform((v) => v.trim())
    .pipe(
      z
        .string()
        .min(1, `Enter the ${label.toLowerCase()}`)
        .max(max, `${label} must be at most ${max} characters`)
        .refine((v) => !CONTROL_OR_NEWLINE.test(v), `${label} must not contain control characters or line breaks`),
    );
}

/** A required secret: kept verbatim (no trimming inside), bounded, single line. */
export function secretLine(label: string, max = 1024) {
  return storableText({ message: `${label} must be text` })
    .max(max * 4, `${label} must be at most ${max} characters`)
    .transform((v) => v.trim())
    .pipe(
      z
        .string()
        .min(1, `Enter the ${label.toLowerCase()}`)
        .max(max, `${label} must be at most ${max} characters`)
        .refine((v) => !CONTROL_OR_NEWLINE.test(v), `${label} must not contain control characters or line breaks`)
        .refine((v) => !/\s/.test(v), `${label} must not contain spaces`),
    );
}

/** Registry usernames end up in `user:pass`, split on the first colon. */
export const noColon = (label: string) => (v: string) => !v.includes(":") || `${label} must not contain ":"`;

export function withRule(schema: z.ZodType<string, string>, check: (v: string) => true | string) {
  return schema.superRefine((v, ctx) => {
    const result = check(v);
    if (result !== true) ctx.addIssue({ code: "custom", message: result });
  });
}

export const registryName = storableText({ message: "Name must be text" })
  .max(1000, "Name must be at most 64 characters")
  .transform((v) => v.trim())
  .pipe(
    z
      .string()
      .min(1, "Enter a name for this registry")
      .max(64, "Name must be at most 64 characters")
      .refine((v) => !CONTROL_OR_NEWLINE.test(v), "Name must not contain control characters or line breaks"),
  );

// ── GitHub ────────────────────────────────────────────────────────────────────
export function githubUsername(v: string): true | string {
  if (v.length > 39) return "A GitHub username is at most 39 characters";
  if (!/^[A-Za-z0-9-]+$/.test(v)) return "A GitHub username has only letters, digits and hyphens";
  if (v.startsWith("-") || v.endsWith("-") || v.includes("--")) return "A GitHub username cannot start or end with a hyphen, or have two in a row";
  return true;
}

export function githubToken(v: string): true | string {
  if (/^gh[pous]_/.test(v)) {
    return /^gh[pous]_[A-Za-z0-9]{36,251}$/.test(v) || `This ${v.slice(0, 4)} token looks cut off: it is ${v.slice(0, 4)} followed by at least 36 letters and digits`;
  }
  if (v.startsWith("github_pat_")) {
    return /^github_pat_[A-Za-z0-9_]{22,255}$/.test(v) || "This fine-grained token looks cut off: github_pat_ followed by letters, digits and underscores";
  }
  return "A GitHub token starts with ghp_ (classic), github_pat_ (fine-grained), gho_, ghu_ or ghs_";
}

// ── Docker Hub ────────────────────────────────────────────────────────────────
export function dockerId(v: string): true | string {
  if (v.includes("@")) return "Use your Docker ID (shown on hub.docker.com), not your e-mail address";
  if (!/^[a-z0-9]+$/.test(v)) return "A Docker ID has only lower-case letters and digits";
  if (v.length < 4 || v.length > 30) return "A Docker ID is 4 to 30 characters long";
  return true;
}

// ── AWS ───────────────────────────────────────────────────────────────────────
export function awsAccessKeyId(v: string): true | string {
  if (!/^(AKIA|ASIA)/.test(v)) return "An access key ID starts with AKIA (long-term) or ASIA (temporary)";
  return /^(AKIA|ASIA)[A-Z0-9]{16}$/.test(v) || "An access key ID is AKIA or ASIA followed by 16 upper-case letters or digits";
}

export function awsSecretAccessKey(v: string): true | string {
  if (v.length !== 40) return `A secret access key is exactly 40 characters (this one has ${v.length})`;
  return /^[A-Za-z0-9/+]{40}$/.test(v) || "A secret access key has only letters, digits, / and +";
}

export function awsRegion(v: string): true | string {
  return (
    /^(us|eu|ap|sa|ca|me|af|il|mx)-[a-z]+-\d+$/.test(v) ||
    /^cn-[a-z]+-\d+$/.test(v) ||
    /^us-gov-[a-z]+-\d+$/.test(v) ||
    "Use an AWS region code such as us-east-1, eu-central-1 or ap-southeast-2"
  );
}

// ── Azure ─────────────────────────────────────────────────────────────────────
export function acrLoginServer(v: string): true | string {
  if (/^https?:\/\//i.test(v)) return "Enter the login server without https://, like myregistry.azurecr.io";
  if (!/\.azurecr\.(io|cn|us)$/.test(v)) return "An Azure login server ends in .azurecr.io (or .azurecr.cn, .azurecr.us)";
  const name = v.replace(/\.azurecr\.(io|cn|us)$/, "");
  return /^[a-z0-9]{5,50}$/.test(name) || "The registry name before .azurecr.io is 5 to 50 letters or digits";
}

// ── Google ────────────────────────────────────────────────────────────────────
export const GOOGLE_MULTI_REGIONS = ["us", "europe", "asia"] as const;

export function garLocation(v: string): true | string {
  return (
    (GOOGLE_MULTI_REGIONS as readonly string[]).includes(v) ||
    /^[a-z]+-[a-z]+\d+$/.test(v) ||
    "Use a location such as us-central1, europe-west4, or a multi-region: us, europe, asia"
  );
}

/** The structure of a Google service-account key file, field by field. */
export function serviceAccountKey(v: string): true | string {
  let key: unknown;
  try {
    key = JSON.parse(v);
  } catch {
    return "Paste the whole key file: this is not valid JSON";
  }
  if (typeof key !== "object" || key === null || Array.isArray(key)) return "A key file is a JSON object";
  const k = key as Record<string, unknown>;
  if (k.type !== "service_account") return 'This is not a service-account key: "type" must be "service_account"';
  if (typeof k.project_id !== "string" || !k.project_id) return 'The key has no "project_id"';
  if (typeof k.client_email !== "string" || !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(k.client_email)) {
    return 'The key has no valid "client_email"';
  }
  if (typeof k.private_key !== "string" || !/-----BEGIN (RSA )?PRIVATE KEY-----[\s\S]+-----END (RSA )?PRIVATE KEY-----/.test(k.private_key)) {
    return 'The key\'s "private_key" is not a PEM private key';
  }
  if (typeof k.token_uri !== "string" || !/^https:\/\/\S+$/.test(k.token_uri)) return 'The key has no valid "token_uri"';
  return true;
}

export const jsonKey = storableText({ message: "The key must be text" })
  .max(20_000, "A key file is at most 20,000 characters")
  .transform((v) => v.trim())
  .pipe(
    z
      .string()
      .min(1, "Paste the service-account key JSON")
      .refine((v) => !CONTROL.test(v), "The key must not contain control characters"),
  );

// ── Quay ──────────────────────────────────────────────────────────────────────
export function quayUsername(v: string): true | string {
  return (
    /^[a-z0-9_]{2,255}(\+[a-z0-9_]{1,255})?$/.test(v) ||
    "Use a Quay username or a robot account like myorg+deployer (lower-case letters, digits, underscores)"
  );
}

// ── Custom ────────────────────────────────────────────────────────────────────
/** http(s)://host[:port] and nothing else: the registry key is host[:port]. */
export function registryUrl(v: string): true | string {
  let url: URL;
  try {
    url = new URL(v);
  } catch {
    return "Enter a URL like https://registry.example.com or http://10.0.0.5:5000";
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return "The URL must start with https:// or http://";
  if (url.username || url.password) return "Do not put credentials in the URL: use the username and password fields";
  if (!url.hostname) return "The URL needs a host name";
  if (url.pathname !== "/" && url.pathname !== "") return "Give only the registry's address, without a path (images are named host[:port]/path)";
  if (url.search || url.hash) return "The URL must not have a query or fragment";
  if (/^https?:\/\/[^/]*:$/.test(v.replace(/\/$/, ""))) return "The port after : is missing";
  return true;
}
