import "server-only";
import http from "node:http";
import https from "node:https";
import { isIP } from "node:net";
import { rootCertificates } from "node:tls";
import { getDomain } from "tldts";
import { ecrPullCredentials, EcrError } from "@/lib/deploy/ecr";
import { egressAgent, egressPolicy, isEgressRefused, serverEgressPolicy, type EgressPolicy } from "@/lib/egress";
import { imageHostsOf, loginOf, type Credentials, type RegistryType } from "./catalog";

/**
 * The live half of Test Connection: the Registry HTTP API V2 handshake (registry-facts §4) from
 * the server, against an address a user typed — so every connection is vetted first, the whole
 * check is bounded in time and size, and credentials go only to the registry and its own realm.
 */

export type LiveStatus =
  | "valid"
  | "invalid_credentials"
  | "no_auth_required"
  | "no_pull_access"
  | "not_a_registry"
  | "unreachable"
  | "refused_address"
  | "not_applicable";

export type LiveResult = { status: LiveStatus; ok: boolean; message: string; host?: string; expiresAt?: string };

export type LiveCheckOptions = {
  /** A repository (`team/app`) to check pull access on; optional. */
  image?: string;
  /** Allowed networks in place of the server's EGRESS_ALLOWED_NETWORKS (tests need loopback). */
  allowedNetworks?: readonly string[];
  /** Extra CA certificates (PEM) to trust besides the system roots. */
  extraCa?: string;
  timeoutMs?: number;
  maxBodyBytes?: number;
  ecrEndpoint?: string;
};

const DEFAULT_TIMEOUT_MS = 5000;
const DEFAULT_MAX_BODY = 64 * 1024;
const MAX_REDIRECTS = 3;

const result = (status: LiveStatus, message: string, extra: Partial<LiveResult> = {}): LiveResult => ({
  status,
  ok: status === "valid",
  message,
  ...extra,
});

type Reply = { status: number; headers: http.IncomingHttpHeaders; body: string };

class CheckContext {
  readonly policy: EgressPolicy;
  readonly signal: AbortSignal;
  readonly ca: string[] | undefined;
  readonly maxBody: number;

  constructor(readonly opts: LiveCheckOptions) {
    this.policy = opts.allowedNetworks ? egressPolicy(opts.allowedNetworks) : serverEgressPolicy();
    this.signal = AbortSignal.timeout(opts.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    this.ca = opts.extraCa ? [...rootCertificates, opts.extraCa] : undefined;
    this.maxBody = opts.maxBodyBytes ?? DEFAULT_MAX_BODY;
  }

  /** One request, no redirects followed; the body is cut at the cap. */
  private once(url: URL, authorization: string | undefined): Promise<Reply> {
    const lib = url.protocol === "https:" ? https : http;
    return new Promise((resolve, reject) => {
      const req = lib.request(
        url,
        {
          method: "GET",
          headers: { accept: "application/json", "user-agent": "dockyard-registry-check", ...(authorization ? { authorization } : {}) },
          signal: this.signal,
          ca: this.ca,
          agent: egressAgent(url.protocol, this.policy),
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on("data", (chunk: Buffer) => {
            size += chunk.length;
            if (size <= this.maxBody) chunks.push(chunk);
            else res.destroy();
          });
          const done = () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") });
          res.on("end", done);
          res.on("close", done);
          res.on("error", reject);
        },
      );
      req.on("error", reject);
      req.end();
    });
  }

  /**
   * GET with redirects followed (each hop vetted again). Credentials are dropped as soon as a
   * redirect leaves the host they were meant for.
   */
  async get(url: URL, authorization?: string): Promise<Reply> {
    let current = url;
    let auth = authorization;
    for (let hop = 0; ; hop++) {
      const reply = await this.once(current, auth);
      const location = reply.headers.location;
      if (reply.status < 300 || reply.status >= 400 || !location || hop >= MAX_REDIRECTS) return reply;
      const next = new URL(location, current);
      // Not to another host, and never in clear text after a downgrade to http.
      if (next.host !== current.host || next.protocol !== current.protocol) auth = undefined;
      current = next;
    }
  }
}

/** `Bearer realm="…",service="…"` → its parameters. */
export function parseChallenge(header: string | undefined): { scheme: string; params: Record<string, string> } | undefined {
  if (!header) return undefined;
  const match = /^\s*(\w+)\s*(.*)$/.exec(header);
  if (!match) return undefined;
  const params: Record<string, string> = {};
  for (const p of match[2]!.matchAll(/(\w+)=(?:"([^"]*)"|([^,\s]*))/g)) params[p[1]!.toLowerCase()] = p[2] ?? p[3] ?? "";
  return { scheme: match[1]!.toLowerCase(), params };
}

/**
 * The registrable domain by the public-suffix list (private suffixes included, so two tenants
 * of a hosting suffix are two sites); IP addresses and single labels stand for themselves.
 */
export function siteOf(host: string): string {
  const h = host.toLowerCase().replace(/^\[|\]$/g, "");
  if (isIP(h)) return h;
  return getDomain(h, { allowPrivateDomains: true }) ?? h;
}

/** Credentials may go to a realm on the registry's own site, or to Docker Hub's documented one. */
function realmAllowed(realm: URL, registry: URL): boolean {
  if (registry.hostname === "registry-1.docker.io" && realm.hostname === "auth.docker.io") return true;
  return siteOf(realm.hostname) === siteOf(registry.hostname);
}

function looksLikeRegistry(reply: Reply): boolean {
  if (reply.headers["docker-distribution-api-version"]) return true;
  return /json/.test(String(reply.headers["content-type"] ?? "")) && reply.body.trim().startsWith("{");
}

const TLS_WORDS: Record<string, string> = {
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: "its certificate is signed by an unknown authority",
  SELF_SIGNED_CERT_IN_CHAIN: "its certificate chain ends in an untrusted (self-signed) authority",
  DEPTH_ZERO_SELF_SIGNED_CERT: "it uses a self-signed certificate",
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: "its certificate is signed by an unknown authority",
  CERT_HAS_EXPIRED: "its certificate has expired",
  ERR_TLS_CERT_ALTNAME_INVALID: "its certificate is for another host name",
  EPROTO: "the TLS handshake failed (is it plain HTTP?)",
};

/** A network failure in words; never echoes a credential (none is in these errors). */
function unreachable(err: unknown, host: string, timeoutMs: number): LiveResult {
  if (isEgressRefused(err)) return result("refused_address", `Not checked: ${err.message}`, { host });
  const e = err as { code?: string; name?: string; message?: string };
  const code = e.code ?? "";
  if (e.name === "AbortError" || e.name === "TimeoutError" || code === "ABORT_ERR") return result("unreachable", `${host} did not answer within ${timeoutMs / 1000} s`, { host });
  if (TLS_WORDS[code]) return result("unreachable", `TLS error talking to ${host}: ${TLS_WORDS[code]} (${code})`, { host });
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") return result("unreachable", `${host.replace(/:\d+$/, "")} does not resolve (DNS ${code})`, { host });
  if (code === "ECONNREFUSED") return result("unreachable", `${host} refused the connection: nothing listens there`, { host });
  if (code === "ECONNRESET" || code === "EHOSTUNREACH" || code === "ENETUNREACH" || code === "ETIMEDOUT") return result("unreachable", `Cannot reach ${host} (${code})`, { host });
  return result("unreachable", `Cannot reach ${host}${code ? ` (${code})` : ""}`, { host });
}

/** Where each type's registry answers the V2 API. */
function baseUrlOf(type: RegistryType, credentials: Credentials): URL | undefined {
  if (type === "Docker") return new URL("https://registry-1.docker.io");
  if (type === "GCR") return new URL("https://gcr.io");
  if (type === "Custom") return new URL(new URL(credentials.url!).origin);
  const host = imageHostsOf(type, credentials)[0];
  return host ? new URL(`https://${host}`) : undefined;
}

const basic = (username: string, password: string) => `Basic ${Buffer.from(`${username}:${password}`, "utf8").toString("base64")}`;

export async function liveCheck(type: RegistryType, credentials: Credentials, opts: LiveCheckOptions = {}): Promise<LiveResult> {
  const login = loginOf(type, credentials);
  if (login.kind === "none") return result("not_applicable", "Public registries need no credentials: nothing to check");
  if (login.kind === "ecr") {
    try {
      const policy = opts.allowedNetworks ? egressPolicy(opts.allowedNetworks) : undefined;
      const creds = await ecrPullCredentials(login, { endpoint: opts.ecrEndpoint, timeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS, policy });
      const host = creds.serverKeys[0];
      return result("valid", `Valid: AWS issued a registry token for ${host}, valid until ${creds.expiresAt?.toISOString()}`, { host, expiresAt: creds.expiresAt?.toISOString() });
    } catch (err) {
      if (err instanceof EcrError) return result("invalid_credentials", err.message);
      throw err;
    }
  }
  const base = baseUrlOf(type, credentials)!;
  const host = base.host;
  const ctx = new CheckContext(opts);
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const authorization = basic(login.username, login.password);
  const scope = opts.image ? `repository:${opts.image}:pull` : undefined;
  try {
    const probe = await ctx.get(new URL("/v2/", base));
    if (probe.status === 200) {
      return looksLikeRegistry(probe)
        ? result("no_auth_required", `${host} needs no authentication, so the credentials were not checked`, { host })
        : result("not_a_registry", `${host} answered, but it is not a container registry (no Registry API at /v2/)`, { host });
    }
    const challenge = probe.status === 401 ? parseChallenge(String(probe.headers["www-authenticate"] ?? "")) : undefined;
    if (!challenge) return result("not_a_registry", `${host} is not a container registry (GET /v2/ answered ${probe.status})`, { host });

    if (challenge.scheme === "basic") {
      const reply = await ctx.get(new URL("/v2/", base), authorization);
      if (reply.status === 401 || reply.status === 403) return result("invalid_credentials", `${host} refused these credentials`, { host });
      if (reply.status !== 200) return result("not_a_registry", `${host} answered ${reply.status} to an authenticated /v2/`, { host });
      return opts.image ? pullAccess(ctx, base, opts.image, authorization, host) : result("valid", `Valid: ${host} accepted the credentials`, { host });
    }
    if (challenge.scheme !== "bearer" || !challenge.params.realm) return result("not_a_registry", `${host} asks for an authentication scheme registries do not use`, { host });

    let realm: URL;
    try {
      realm = new URL(challenge.params.realm);
    } catch {
      return result("not_a_registry", `${host} names an invalid token realm`, { host });
    }
    if (!realmAllowed(realm, base) || (realm.protocol !== "https:" && base.protocol === "https:")) {
      return result("refused_address", `Not checked: ${host} sends credentials to ${realm.origin}, which is not part of the registry's own site`, { host });
    }
    if (challenge.params.service) realm.searchParams.set("service", challenge.params.service);
    if (scope) realm.searchParams.set("scope", scope);
    const tokenReply = await ctx.get(realm, authorization);
    if (tokenReply.status === 401 || tokenReply.status === 403) return result("invalid_credentials", `${host} refused these credentials`, { host });
    let token: string | undefined;
    try {
      const body = JSON.parse(tokenReply.body) as { token?: string; access_token?: string };
      token = body.token ?? body.access_token;
    } catch {
      token = undefined;
    }
    if (tokenReply.status !== 200 || !token) return result("not_a_registry", `The token service of ${host} answered ${tokenReply.status} without a token`, { host });
    return opts.image ? pullAccess(ctx, base, opts.image, `Bearer ${token}`, host) : result("valid", `Valid: ${host} issued a token for these credentials`, { host });
  } catch (err) {
    return unreachable(err, host, timeoutMs);
  }
}

/** Reads the image's tag list with the credentials: the least a pull needs. */
async function pullAccess(ctx: CheckContext, base: URL, image: string, authorization: string, host: string): Promise<LiveResult> {
  const reply = await ctx.get(new URL(`/v2/${image}/tags/list`, base), authorization);
  if (reply.status === 200) return result("valid", `Valid: these credentials can pull ${image} from ${host}`, { host });
  if (reply.status === 404) return result("no_pull_access", `The credentials are valid, but ${host} has no repository ${image} they can see`, { host });
  return result("no_pull_access", `The credentials are valid, but they may not pull ${image} from ${host} (${reply.status})`, { host });
}
