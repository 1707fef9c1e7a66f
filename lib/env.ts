import "server-only";
import { randomBytes } from "node:crypto";
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { logger } from "@/lib/logger";

/**
 * The one place the process environment is read and validated.
 * Secrets that are absent are generated once and kept under the data dir (mode 0600),
 * so `npm start` on a fresh clone needs no set-up.
 */

const base64Key = z
  .string()
  .refine((v) => /^[A-Za-z0-9+/]+={0,2}$/.test(v) && Buffer.from(v, "base64").length === 32, {
    message: "must be 32 random bytes, base64-encoded (e.g. `openssl rand -base64 32`)",
  });

const networkList = z
  .string()
  .transform((v) => v.split(",").map((c) => c.trim()).filter(Boolean))
  .pipe(z.array(z.union([z.cidrv4(), z.cidrv6()], { message: "must be a comma-separated list of CIDR networks, e.g. 10.0.0.0/8,127.0.0.0/8" })))
  .optional();

/** A whole number of seconds within [min, max], given as a string. */
function seconds(min: number, max: number, fallback: number) {
  const message = `must be a whole number of seconds, ${min} to ${max}`;
  return z.string().regex(/^\d{1,6}$/, message).transform(Number).pipe(z.number().min(min, message).max(max, message)).default(fallback);
}

const publicUrl = z.url({ protocol: /^https?$/, error: "must be the dashboard's public http(s) URL, e.g. https://dockyard.example.com" }).optional();

const schema = z.object({
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\/.+/, "must be a postgres:// or postgresql:// URL")
    .optional(),
  DATA_DIR: z.string().min(1).default(".data"),
  AUTH_SECRET: z.string().min(32, "must be at least 32 characters (e.g. `openssl rand -base64 32`)").optional(),
  CREDENTIALS_KEY: base64Key.optional(),
  CREDENTIALS_KEY_ID: z
    .string()
    .regex(/^[a-z0-9-]{1,32}$/, "must be 1-32 lower-case letters, digits or dashes")
    .default("k1"),
  CREDENTIALS_PREVIOUS_KEYS: z
    .string()
    .transform((v, ctx) => {
      const out: { id: string; key: Buffer }[] = [];
      for (const entry of v.split(",").map((e) => e.trim()).filter(Boolean)) {
        const [id, key] = entry.split(":");
        if (!id || !key || !/^[a-z0-9-]{1,32}$/.test(id) || !base64Key.safeParse(key).success) {
          ctx.addIssue({ code: "custom", message: "must be a comma-separated list of <key id>:<32 bytes base64>" });
          return z.NEVER;
        }
        out.push({ id, key: Buffer.from(key, "base64") });
      }
      return out;
    })
    .optional(),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  ECR_ENDPOINT_URL: z.url({ protocol: /^https?$/, error: "must be an http(s) URL" }).optional(),
  DOCKER_CLI: z.string().min(1).default("docker"),
  DEPLOY_ROLLOUT_TIMEOUT_SECONDS: seconds(1, 3600, 120),
  /** Kept above three deploy heartbeats (5 s each), so a live run is never taken for a dead one. */
  DEPLOY_ABANDONED_AFTER_SECONDS: seconds(15, 3600, 60),
  REFRESH_INTERVAL_SECONDS: seconds(1, 86_400, 300),
  WATCH_INTERVAL_SECONDS: seconds(1, 86_400, 120),
  SHUTDOWN_TIMEOUT_SECONDS: seconds(1, 3600, 25),
  METRICS_TOKEN: z.string().min(16, "must be at least 16 characters (e.g. `openssl rand -hex 32`)").optional(),
  EGRESS_ALLOWED_NETWORKS: networkList,
  /** The earlier name of EGRESS_ALLOWED_NETWORKS, still read. */
  LIVE_CHECK_ALLOWED_NETWORKS: networkList,
  LIVE_CHECK_CA_FILE: z.string().min(1).optional(),
  ALLOW_LOCAL_ORCHESTRATORS: z.enum(["true", "false"], { message: "must be true or false" }).default("false"),
  TRUST_PROXY_HOPS: z
    .string()
    .regex(/^\d{1,2}$/, "must be the number of reverse proxies in front of the dashboard, 0 to 10")
    .transform(Number)
    .pipe(z.number().max(10, "must be the number of reverse proxies in front of the dashboard, 0 to 10"))
    .default(0),
  AUTH_URL: publicUrl,
  /** The Auth.js v4 name of AUTH_URL, still read by Auth.js. */
  NEXTAUTH_URL: publicUrl,
});

export type Env = {
  databaseUrl: string | undefined;
  dataDir: string;
  authSecret: string;
  credentialsKey: Buffer;
  credentialsKeyId: string;
  /** Keys that may still decrypt older ciphertexts during a key rotation. */
  previousCredentialsKeys: { id: string; key: Buffer }[];
  logLevel: z.infer<typeof schema>["LOG_LEVEL"];
  /** Overrides the Amazon ECR API endpoint (a VPC endpoint; tests point it at a fake ECR). */
  ecrEndpointUrl: string | undefined;
  /** The Docker CLI the Swarm and Compose orchestrators run. */
  dockerCli: string;
  /** How long a deploy waits for its pods (or tasks) to be ready before it records a rollout timeout. */
  deployRolloutTimeoutSeconds: number;
  /** How long a running deploy's heartbeat may be silent before the run is taken as abandoned (its server died) and marked failed. */
  deployAbandonedAfterSeconds: number;
  /** How often the ECR refresh job and the pull-health watcher run, across all instances together. */
  refreshIntervalSeconds: number;
  watchIntervalSeconds: number;
  /** How long SIGTERM waits for requests, job runs and deploys in flight before the process exits anyway. */
  shutdownTimeoutSeconds: number;
  /** The bearer token GET /metrics requires; unset, /metrics answers 404. */
  metricsToken: string | undefined;
  /** Networks the egress policy lets the server connect to although they are private (see lib/egress.ts). */
  egressAllowedNetworks: string[];
  /** A PEM file of extra CAs the live check trusts (a private registry's CA). */
  liveCheckCaFile: string | undefined;
  /** Whether environments may use unix:// Docker sockets or the in-cluster service account: both reach the dashboard's own host. */
  allowLocalOrchestrators: boolean;
  /** How many reverse proxies in front of the dashboard append to X-Forwarded-For; 0 trusts none and uses the socket address. */
  trustProxyHops: number;
  /** The URL browsers reach the dashboard at, when set; https makes the session cookies Secure. */
  publicUrl: URL | undefined;
};

export class EnvError extends Error {}

function blankToUndefined(source: Record<string, string | undefined>) {
  const out: Record<string, string | undefined> = {};
  for (const key of Object.keys(schema.shape)) {
    const v = source[key];
    out[key] = v === undefined || v === "" ? undefined : v;
  }
  return out;
}

export function parseEnv(source: Record<string, string | undefined>): z.infer<typeof schema> {
  const parsed = schema.safeParse(blankToUndefined(source));
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new EnvError(`Invalid environment:\n${lines.join("\n")}`);
  }
  return parsed.data;
}

type StoredSecrets = { authSecret?: string; credentialsKey?: string };

/** Reads (or creates once) the generated secrets file under the data dir. */
function generatedSecrets(dataDir: string, need: { auth: boolean; key: boolean }): StoredSecrets {
  const file = path.join(dataDir, "secrets.json");
  let stored: StoredSecrets = {};
  try {
    stored = JSON.parse(readFileSync(file, "utf8")) as StoredSecrets;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") {
      throw new EnvError(`Cannot read ${file}: ${(err as Error).message}`);
    }
  }
  const created: string[] = [];
  if (need.auth && !stored.authSecret) {
    stored.authSecret = randomBytes(32).toString("base64");
    created.push("AUTH_SECRET");
  }
  if (need.key && !stored.credentialsKey) {
    stored.credentialsKey = randomBytes(32).toString("base64");
    created.push("CREDENTIALS_KEY");
  }
  if (created.length > 0) {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    writeFileSync(file, JSON.stringify(stored, null, 2), { mode: 0o600 });
    chmodSync(file, 0o600);
    logger.info({ file, generated: created }, "generated secrets were not in the environment; stored them once");
  }
  const checkedKey = stored.credentialsKey ? base64Key.safeParse(stored.credentialsKey) : undefined;
  if (checkedKey && !checkedKey.success) {
    throw new EnvError(`${file}: credentialsKey ${checkedKey.error.issues[0]?.message}`);
  }
  return stored;
}

export function loadEnv(source: Record<string, string | undefined> = process.env): Env {
  const raw = parseEnv(source);
  const dataDir = path.resolve(raw.DATA_DIR);
  const needAuth = !raw.AUTH_SECRET;
  const needKey = !raw.CREDENTIALS_KEY;
  const stored = needAuth || needKey ? generatedSecrets(dataDir, { auth: needAuth, key: needKey }) : {};
  const publicUrl = raw.AUTH_URL ?? raw.NEXTAUTH_URL;
  return {
    databaseUrl: raw.DATABASE_URL,
    dataDir,
    authSecret: raw.AUTH_SECRET ?? stored.authSecret!,
    credentialsKey: Buffer.from(raw.CREDENTIALS_KEY ?? stored.credentialsKey!, "base64"),
    credentialsKeyId: raw.CREDENTIALS_KEY_ID,
    previousCredentialsKeys: raw.CREDENTIALS_PREVIOUS_KEYS ?? [],
    logLevel: raw.LOG_LEVEL,
    ecrEndpointUrl: raw.ECR_ENDPOINT_URL,
    dockerCli: raw.DOCKER_CLI,
    deployRolloutTimeoutSeconds: raw.DEPLOY_ROLLOUT_TIMEOUT_SECONDS,
    deployAbandonedAfterSeconds: raw.DEPLOY_ABANDONED_AFTER_SECONDS,
    refreshIntervalSeconds: raw.REFRESH_INTERVAL_SECONDS,
    watchIntervalSeconds: raw.WATCH_INTERVAL_SECONDS,
    shutdownTimeoutSeconds: raw.SHUTDOWN_TIMEOUT_SECONDS,
    metricsToken: raw.METRICS_TOKEN,
    egressAllowedNetworks: [...(raw.EGRESS_ALLOWED_NETWORKS ?? []), ...(raw.LIVE_CHECK_ALLOWED_NETWORKS ?? [])],
    liveCheckCaFile: raw.LIVE_CHECK_CA_FILE,
    allowLocalOrchestrators: raw.ALLOW_LOCAL_ORCHESTRATORS === "true",
    trustProxyHops: raw.TRUST_PROXY_HOPS,
    publicUrl: publicUrl ? new URL(publicUrl) : undefined,
  };
}

const globalForEnv = globalThis as unknown as { __appEnv?: Env };

/** The validated environment, loaded once per process. */
export function env(): Env {
  globalForEnv.__appEnv ??= loadEnv();
  return globalForEnv.__appEnv;
}
