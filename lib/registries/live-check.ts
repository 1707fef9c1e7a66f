import "server-only";
import http from "node:http";
import https from "node:https";
import { isIP } from "node:net";
import { createSecureContext, rootCertificates, type SecureContext } from "node:tls";
import { getDomain } from "tldts";
import { ecrPullCredentials, EcrError, type EcrKeyPair } from "@/lib/deploy/ecr";
import type { PullCredentials } from "@/lib/deploy/docker-config";
import { egressAgent, egressPolicy, isEgressRefused, serverEgressPolicy, type EgressPolicy } from "@/lib/egress";
import { networkFailure, unreachableWords } from "@/lib/network-failure";
import { apiBaseOf, loginOf, type Credentials, type RegistryType } from "./catalog";

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
  | "rate_limited"
  | "not_applicable";

/**
 * `message` is the verdict in plain words; `detail` the technical part behind it (an HTTP status,
 * a network error code), shown beneath it.
 */
export type LiveResult = { status: LiveStatus; ok: boolean; message: string; detail?: string; host?: string; expiresAt?: string };

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

export type Reply = { status: number; headers: http.IncomingHttpHeaders; body: string };

type RequestOptions = { method?: "GET" | "HEAD"; authorization?: string; accept?: string };

/**
 * Building a TLS context from the system roots plus an extra CA costs tens of milliseconds, paid
 * by every connection that is handed `ca` itself: the context is built once per extra CA.
 */
let trusted: { pem: string; context: SecureContext } | undefined;
function secureContextTrusting(extraCa: string): SecureContext {
  if (trusted?.pem !== extraCa) trusted = { pem: extraCa, context: createSecureContext({ ca: [...rootCertificates, extraCa] }) };
  return trusted.context;
}

/** One check's connections: every one vetted by the egress policy, all under one time bound, bodies capped. */
export class CheckContext {
  readonly policy: EgressPolicy;
  readonly signal: AbortSignal;
  readonly secureContext: SecureContext | undefined;
  readonly maxBody: number;
  readonly timeoutMs: number;

  constructor(readonly opts: LiveCheckOptions) {
    this.policy = opts.allowedNetworks ? egressPolicy(opts.allowedNetworks) : serverEgressPolicy();
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.signal = AbortSignal.timeout(this.timeoutMs);
    this.secureContext = opts.extraCa ? secureContextTrusting(opts.extraCa) : undefined;
    this.maxBody = opts.maxBodyBytes ?? DEFAULT_MAX_BODY;
  }

  /** One request, no redirects followed; the body is cut at the cap. */
  private once(url: URL, req: RequestOptions): Promise<Reply> {
    const lib = url.protocol === "https:" ? https : http;
    return new Promise((resolve, reject) => {
      const request = lib.request(
        url,
        {
          method: req.method ?? "GET",
          headers: { accept: req.accept ?? "application/json", "user-agent": "dockyard-registry-check", ...(req.authorization ? { authorization: req.authorization } : {}) },
          signal: this.signal,
          agent: egressAgent(url.protocol, this.policy, this.secureContext ? { secureContext: this.secureContext } : {}),
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
      request.on("error", reject);
      request.end();
    });
  }

  /**
   * A request with redirects followed (each hop vetted again). Credentials are dropped as soon as
   * a redirect leaves the host they were meant for.
   */
  async request(url: URL, req: RequestOptions = {}): Promise<Reply> {
    let current = url;
    let authorization = req.authorization;
    for (let hop = 0; ; hop++) {
      const reply = await this.once(current, { ...req, authorization });
      const location = reply.headers.location;
      if (reply.status < 300 || reply.status >= 400 || !location || hop >= MAX_REDIRECTS) return reply;
      const next = new URL(location, current);
      // Not to another host, and never in clear text after a downgrade to http.
      if (next.host !== current.host || next.protocol !== current.protocol) authorization = undefined;
      current = next;
    }
  }

  get(url: URL, authorization?: string): Promise<Reply> {
    return this.request(url, { authorization });
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

/** A network failure in words, the code apart; never echoes a credential (none is in these errors). */
export function unreachable(err: unknown, host: string, timeoutMs: number): LiveResult {
  if (isEgressRefused(err)) return result("refused_address", `Not checked: ${err.message}`, { host });
  const failure = networkFailure(err, timeoutMs);
  // A name that does not resolve is the name's fault, whatever port follows it.
  const { message, detail } = unreachableWords(failure.kind === "dns" ? host.replace(/:\d+$/, "") : host, failure);
  return result("unreachable", message, { host, detail });
}

/** A 429 in words, with the registry's Retry-After when it is a plain number of seconds. */
export function rateLimited(reply: Reply, host: string): LiveResult {
  const retryAfter = /^\d{1,6}$/.exec(String(reply.headers["retry-after"] ?? "").trim())?.[0];
  return result("rate_limited", `${host} is rate limiting requests from this server (HTTP 429 Too Many Requests)${retryAfter ? `; it asks to retry in ${retryAfter} s` : ""}`, { host });
}

const basic = (username: string, password: string) => `Basic ${Buffer.from(`${username}:${password}`, "utf8").toString("base64")}`;

/** ECR's key pair exchanged for the registry login it stands for (user AWS, a 12-hour token), under the check's guard and bound. */
export function ecrExchange(login: EcrKeyPair, opts: LiveCheckOptions): Promise<PullCredentials> {
  const policy = opts.allowedNetworks ? egressPolicy(opts.allowedNetworks) : undefined;
  return ecrPullCredentials(login, { endpoint: opts.ecrEndpoint, timeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS, policy });
}

/** How a registry lets a login in: it is open, it refused (or is not a registry), or here is the Authorization header. */
export type Access = { kind: "open" } | { kind: "granted"; scheme: "basic" | "bearer"; authorization: string } | { kind: "refused"; result: LiveResult };

/**
 * The V2 handshake (registry-facts §4) up to an Authorization header: `GET /v2/`; on a Basic
 * challenge the credentials are tried on `/v2/`; on a Bearer challenge a token is asked of the
 * realm (for `scope` when given), which must be on the registry's own site. Network errors throw.
 */
export async function negotiate(ctx: CheckContext, base: URL, login: { username: string; password: string }, scope?: string): Promise<Access> {
  const host = base.host;
  const refused = (status: LiveStatus, message: string, detail?: string): Access => ({ kind: "refused", result: result(status, message, { host, detail }) });
  const authorization = basic(login.username, login.password);
  const probe = await ctx.get(new URL("/v2/", base));
  if (probe.status === 200) {
    return looksLikeRegistry(probe) ? { kind: "open" } : refused("not_a_registry", `${host} answered, but it is not a container registry`, "GET /v2/ answered HTTP 200 without the Registry API");
  }
  if (probe.status === 429) return { kind: "refused", result: rateLimited(probe, host) };
  const challenge = probe.status === 401 ? parseChallenge(String(probe.headers["www-authenticate"] ?? "")) : undefined;
  if (!challenge) return refused("not_a_registry", `${host} is not a container registry`, `GET /v2/ answered HTTP ${probe.status} without an authentication challenge`);

  if (challenge.scheme === "basic") {
    const reply = await ctx.get(new URL("/v2/", base), authorization);
    if (reply.status === 401 || reply.status === 403) return refused("invalid_credentials", `${host} refused these credentials`, `HTTP ${reply.status} to GET /v2/ with Basic authentication`);
    if (reply.status === 429) return { kind: "refused", result: rateLimited(reply, host) };
    if (reply.status !== 200) return refused("not_a_registry", `${host} did not answer like a container registry`, `HTTP ${reply.status} to an authenticated GET /v2/`);
    return { kind: "granted", scheme: "basic", authorization };
  }
  if (challenge.scheme !== "bearer" || !challenge.params.realm) return refused("not_a_registry", `${host} asks for an authentication scheme registries do not use`, `WWW-Authenticate: ${challenge.scheme}`);

  let realm: URL;
  try {
    realm = new URL(challenge.params.realm);
  } catch {
    return refused("not_a_registry", `${host} names an invalid token realm`);
  }
  if (!realmAllowed(realm, base) || (realm.protocol !== "https:" && base.protocol === "https:")) {
    return refused("refused_address", `Not checked: ${host} sends credentials to ${realm.origin}, which is not part of the registry's own site`);
  }
  if (challenge.params.service) realm.searchParams.set("service", challenge.params.service);
  if (scope) realm.searchParams.set("scope", scope);
  const tokenReply = await ctx.get(realm, authorization);
  if (tokenReply.status === 401 || tokenReply.status === 403) return refused("invalid_credentials", `${host} refused these credentials`, `HTTP ${tokenReply.status} from the token service at ${realm.origin}`);
  if (tokenReply.status === 429) return { kind: "refused", result: rateLimited(tokenReply, host) };
  let token: string | undefined;
  try {
    const body = JSON.parse(tokenReply.body) as { token?: unknown; access_token?: unknown };
    const value = body.token ?? body.access_token;
    // A token goes back in a header: only a plain token is taken.
    token = typeof value === "string" && /^[\x21-\x7e]{1,16384}$/.test(value) ? value : undefined;
  } catch {
    token = undefined;
  }
  if (tokenReply.status !== 200 || !token) return refused("not_a_registry", `The token service of ${host} gave no token`, `HTTP ${tokenReply.status} from ${realm.origin} without a token`);
  return { kind: "granted", scheme: "bearer", authorization: `Bearer ${token}` };
}

export async function liveCheck(type: RegistryType, credentials: Credentials, opts: LiveCheckOptions = {}): Promise<LiveResult> {
  const login = loginOf(type, credentials);
  if (login.kind === "none") return result("not_applicable", "Public registries need no credentials: nothing to check");
  if (login.kind === "ecr") {
    try {
      const creds = await ecrExchange(login, opts);
      const host = creds.serverKeys[0];
      return result("valid", `Valid: AWS issued a registry token for ${host}`, { host, expiresAt: creds.expiresAt?.toISOString(), detail: `The token is valid until ${creds.expiresAt?.toISOString()}` });
    } catch (err) {
      if (err instanceof EcrError) return result("invalid_credentials", err.message);
      throw err;
    }
  }
  const base = apiBaseOf(type, credentials)!;
  const host = base.host;
  const ctx = new CheckContext(opts);
  try {
    const access = await negotiate(ctx, base, login, opts.image ? `repository:${opts.image}:pull` : undefined);
    if (access.kind === "refused") return access.result;
    if (access.kind === "open") return result("no_auth_required", `${host} needs no authentication, so the credentials were not checked`, { host });
    if (opts.image) return pullAccess(ctx, base, opts.image, access.authorization, host);
    return result("valid", access.scheme === "basic" ? `Valid: ${host} accepted the credentials` : `Valid: ${host} issued a token for these credentials`, { host });
  } catch (err) {
    return unreachable(err, host, ctx.timeoutMs);
  }
}

/** Reads the image's tag list with the credentials: the least a pull needs. */
async function pullAccess(ctx: CheckContext, base: URL, image: string, authorization: string, host: string): Promise<LiveResult> {
  const reply = await ctx.get(new URL(`/v2/${image}/tags/list`, base), authorization);
  if (reply.status === 200) return result("valid", `Valid: these credentials can pull ${image} from ${host}`, { host });
  if (reply.status === 404) return result("no_pull_access", `The credentials are valid, but ${host} has no repository ${image} they can see`, { host, detail: `HTTP 404 to GET /v2/${image}/tags/list` });
  return result("no_pull_access", `The credentials are valid, but they may not pull ${image} from ${host}`, { host, detail: `HTTP ${reply.status} to GET /v2/${image}/tags/list` });
}
