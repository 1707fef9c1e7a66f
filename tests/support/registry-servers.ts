import { spawn, type ChildProcess } from "node:child_process";
import { createPrivateKey, randomBytes, randomUUID, sign, X509Certificate, type KeyObject } from "node:crypto";
import { mkdir, mkdtemp, open, readFile, rm, writeFile } from "node:fs/promises";
import { createServer as createHttpServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from "node:http";
import { createServer as createHttpsServer, request } from "node:https";
import { createServer as createTcpServer, type AddressInfo, type Server as TcpServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { authfileJson } from "@/tests/support/test-registry";
import { pushTestImage } from "./oci-image";
import { runChecked, whenEnded } from "./processes";

/**
 * Servers that stand in for what a user may type as a registry address: a registry with Docker
 * token (Bearer) auth, one without any auth, a plain website, a black hole, a closed port and a
 * redirect. The registries are CNCF Distribution (Debian's `docker-registry`) on 127.0.0.1 with
 * TLS from a throw-away CA, each in a temp dir of its own, so several can run side by side.
 */

export interface TokenRegistry {
  /** "localhost:<port>", the registry part of image references. */
  host: string;
  /** "https://localhost:<port>" */
  url: string;
  /** PEM of the CA behind both TLS certificates; alone in its dir, so `path.dirname(caFile)` works as skopeo's --cert-dir. */
  caFile: string;
  /** The token endpoint the registry's challenge names: "https://localhost:<port>/token", served with the same CA. */
  realm: string;
  /** The challenge's `service`, and the `aud` of every token. */
  service: string;
  /** Pushes a tiny single-layer OCI image to `<host>/<repo>:<tag>` through the token flow; resolves to its manifest digest. */
  pushImage(repo: string, tag: string): Promise<string>;
  /** Every token request, in order, except those of pushImage's own user. `user` is the Basic user name sent, if any. */
  tokenRequests: { user?: string; scope: string[]; ok: boolean }[];
  /** Stops both servers and removes everything they wrote. Safe to call more than once. */
  stop(): Promise<void>;
}

export interface OpenRegistry {
  host: string;
  url: string;
  caFile: string;
  stop(): Promise<void>;
}

export interface CountingServer {
  /** "http://127.0.0.1:<port>" */
  url: string;
  /** Requests received so far. */
  readonly hits: number;
  stop(): Promise<void>;
}

export interface SilentServer {
  /** "http://127.0.0.1:<port>"; any scheme hangs the same way. */
  url: string;
  /** TCP connections accepted so far. */
  readonly connections: number;
  stop(): Promise<void>;
}

const SERVICE = "token-registry";
const ISSUER = "registry-servers token issuer";
const TOKEN_TTL_SECONDS = 300;

/**
 * A registry that accepts only Bearer tokens, and the token server it sends clients to. The token
 * server checks HTTP Basic credentials against `users` and grants `pull` on the repositories in
 * `access[user]` (every repository for a user missing from `access`); push is never granted to them.
 * The request's `service` and `account` parameters are not checked: every token's `aud` is `service`.
 */
export async function startTokenRegistry(opts: { users: Record<string, string>; access?: Record<string, string[]> }): Promise<TokenRegistry> {
  const workDir = await mkdtemp(path.join(tmpdir(), "token-registry-"));
  // pushImage needs push rights, which no test user gets.
  const pusher = { name: `harness-pusher-${randomBytes(4).toString("hex")}`, password: randomBytes(18).toString("base64url") };
  const passwords = new Map(Object.entries({ ...opts.users, [pusher.name]: pusher.password }));
  const tokenRequests: TokenRegistry["tokenRequests"] = [];

  const grantedActions = (user: string, repository: string): string[] => {
    if (user === pusher.name) return ["pull", "push"];
    const allowed = opts.access?.[user];
    return allowed === undefined || allowed.includes(repository) ? ["pull"] : [];
  };

  let tokenServer: HttpServer | undefined;
  let registry: RegistryProcess | undefined;
  const stop = once(async () => {
    await Promise.allSettled([registry?.stop(), tokenServer && closeHttpServer(tokenServer)]);
    await rm(workDir, { recursive: true, force: true });
  });

  try {
    const pki = await createPki(workDir);
    // Distribution trusts a token whose JWS header carries, in `x5c`, a certificate chaining to its
    // rootcertbundle; the CA is that bundle, so the signer is just another certificate from it.
    const signerFiles = await issueCertificate(pki, "token-signer", "/CN=registry-servers token signer", "keyUsage=critical,digitalSignature\n");
    const signer = {
      key: createPrivateKey(await readFile(signerFiles.keyFile)),
      certDer: new X509Certificate(await readFile(signerFiles.certFile)).raw.toString("base64"),
    };

    const handleTokenRequest = (req: IncomingMessage, res: ServerResponse) => {
      const url = new URL(req.url ?? "/", "https://localhost");
      if (req.method !== "GET" || url.pathname !== "/token") {
        res.writeHead(404).end();
        return;
      }
      const scope = url.searchParams.getAll("scope");
      const credentials = basicCredentials(req.headers.authorization);
      const ok = credentials !== undefined && passwords.get(credentials.user) === credentials.password;
      if (credentials?.user !== pusher.name) tokenRequests.push({ user: credentials?.user, scope, ok });
      if (!ok) {
        res.writeHead(401, { "content-type": "application/json", "www-authenticate": 'Basic realm="token-registry"' });
        res.end(JSON.stringify({ errors: [{ code: "UNAUTHORIZED", message: "authentication required" }] }));
        return;
      }
      const now = Math.floor(Date.now() / 1000);
      const token = signJwt(signer, {
        iss: ISSUER,
        sub: credentials.user,
        aud: SERVICE,
        exp: now + TOKEN_TTL_SECONDS,
        nbf: now,
        iat: now,
        jti: randomUUID(),
        access: scope.flatMap((s) => grantScope(s, (repository) => grantedActions(credentials.user, repository))),
      });
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ token, access_token: token, expires_in: TOKEN_TTL_SECONDS, issued_at: new Date(now * 1000).toISOString() }));
    };

    tokenServer = createHttpsServer({ cert: await readFile(pki.serverCert), key: await readFile(pki.serverKey) }, handleTokenRequest);
    const realm = `https://localhost:${await listen(tokenServer)}/token`;

    const q = JSON.stringify; // JSON strings are valid YAML scalars, which keeps any value safely quoted.
    registry = await startRegistryProcess(workDir, pki, {
      authYaml: `auth:\n  token:\n    realm: ${q(realm)}\n    service: ${q(SERVICE)}\n    issuer: ${q(ISSUER)}\n    rootcertbundle: ${q(pki.caFile)}\n`,
      unauthenticatedV2Status: 401,
    });
    const { host, url } = registry;

    const pusherAuthfile = path.join(workDir, "pusher-auth.json");
    await writeFile(pusherAuthfile, authfileJson(host, pusher.name, pusher.password), { mode: 0o600 });

    return {
      host,
      url,
      caFile: pki.caFile,
      realm,
      service: SERVICE,
      tokenRequests,
      pushImage: (repo, tag) => pushTestImage({ workDir, authfile: pusherAuthfile, certDir: pki.certDir, host, repo, tag }),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** A registry with TLS and no auth at all: `GET /v2/` answers 200 to anyone. */
export async function startOpenRegistry(): Promise<OpenRegistry> {
  const workDir = await mkdtemp(path.join(tmpdir(), "open-registry-"));
  let registry: RegistryProcess | undefined;
  const stop = once(async () => {
    await registry?.stop();
    await rm(workDir, { recursive: true, force: true });
  });
  try {
    const pki = await createPki(workDir);
    registry = await startRegistryProcess(workDir, pki, { authYaml: "", unauthenticatedV2Status: 200 });
    return { host: registry.host, url: registry.url, caFile: pki.caFile, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** A website, not a registry: every path answers 200 with a small HTML page. */
export async function startHtmlServer(): Promise<CountingServer> {
  let hits = 0;
  const server = createHttpServer((_req, res) => {
    hits++;
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    res.end("<!doctype html>\n<html><head><title>Not a registry</title></head><body><h1>Welcome</h1></body></html>\n");
  });
  const url = `http://127.0.0.1:${await listen(server)}`;
  return { url, get hits() { return hits; }, stop: once(() => closeHttpServer(server)) };
}

/** Every request answers 302 to `location`. */
export async function startRedirectServer(location: string): Promise<CountingServer> {
  let hits = 0;
  const server = createHttpServer((_req, res) => {
    hits++;
    res.writeHead(302, { location }).end();
  });
  const url = `http://127.0.0.1:${await listen(server)}`;
  return { url, get hits() { return hits; }, stop: once(() => closeHttpServer(server)) };
}

/** Accepts TCP connections and never sends a byte: a client's only way out is its own timeout. */
export async function startSilentServer(): Promise<SilentServer> {
  let connections = 0;
  const sockets = new Set<Socket>();
  const server = createTcpServer((socket) => {
    connections++;
    sockets.add(socket);
    // A client giving up resets the connection; unhandled, that error would crash the test process.
    socket.on("error", () => undefined);
    socket.on("close", () => sockets.delete(socket));
  });
  const url = `http://127.0.0.1:${await listen(server)}`;
  const stop = once(async () => {
    for (const socket of sockets) socket.destroy();
    await closeTcpServer(server);
  });
  return { url, get connections() { return connections; }, stop };
}

/** A port on 127.0.0.1 with nothing listening: it was free a moment ago, so connecting is refused. */
export async function closedPort(): Promise<number> {
  const server = createTcpServer();
  const port = await listen(server);
  await closeTcpServer(server);
  return port;
}

/** The `access` entry a scope earns, if any: only repository scopes, only the actions `allowed` names. */
function grantScope(scope: string, allowed: (repository: string) => string[]): { type: string; name: string; actions: string[] }[] {
  // "repository:<name>:<action>[,<action>…]"
  const first = scope.indexOf(":");
  const last = scope.lastIndexOf(":");
  if (last <= first || scope.slice(0, first) !== "repository") return [];
  const name = scope.slice(first + 1, last);
  const granted = allowed(name);
  const actions = scope.slice(last + 1).split(",").filter((action) => granted.includes(action));
  return actions.length > 0 ? [{ type: "repository", name, actions }] : [];
}

/** A compact JWS (ES256), raw r||s signature as JWS requires, with the signer's certificate in `x5c`. */
function signJwt(signer: { key: KeyObject; certDer: string }, claims: object): string {
  const encode = (part: object) => Buffer.from(JSON.stringify(part)).toString("base64url");
  const signingInput = `${encode({ typ: "JWT", alg: "ES256", x5c: [signer.certDer] })}.${encode(claims)}`;
  const signature = sign("sha256", Buffer.from(signingInput), { key: signer.key, dsaEncoding: "ieee-p1363" });
  return `${signingInput}.${signature.toString("base64url")}`;
}

function basicCredentials(header: string | undefined): { user: string; password: string } | undefined {
  const match = /^Basic\s+(\S+)$/i.exec(header ?? "");
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  return colon < 0 ? undefined : { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

export interface Pki {
  /** skopeo's --cert-dir: holds just ca.crt */
  certDir: string;
  caFile: string;
  caKey: string;
  workDir: string;
  /** For localhost and 127.0.0.1; the registry and the token server both use it. */
  serverCert: string;
  serverKey: string;
}

// EC keys: generating them is instant, unlike RSA.
const EC_KEY = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];

/** A throw-away CA and a server certificate from it for localhost and 127.0.0.1, in `workDir`. */
export async function createPki(workDir: string): Promise<Pki> {
  const certDir = path.join(workDir, "certs");
  await mkdir(certDir);
  const caFile = path.join(certDir, "ca.crt");
  const caKey = path.join(workDir, "ca.key");
  await runChecked("openssl", [
    "req", "-x509", ...EC_KEY, "-keyout", caKey, "-out", caFile, "-days", "2", "-subj", "/CN=registry-servers throw-away CA",
    "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
  ]);
  const ca = { caFile, caKey, workDir };
  const server = await issueCertificate(ca, "server", "/CN=localhost", "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n");
  return { ...ca, certDir, serverCert: server.certFile, serverKey: server.keyFile };
}

export async function issueCertificate(
  pki: Pick<Pki, "caFile" | "caKey" | "workDir">,
  name: string,
  subject: string,
  extensions: string,
): Promise<{ certFile: string; keyFile: string }> {
  const file = (suffix: string) => path.join(pki.workDir, `${name}.${suffix}`);
  await runChecked("openssl", ["req", "-new", ...EC_KEY, "-keyout", file("key"), "-out", file("csr"), "-subj", subject]);
  await writeFile(file("ext"), extensions);
  await runChecked("openssl", [
    "x509", "-req", "-in", file("csr"), "-CA", pki.caFile, "-CAkey", pki.caKey, "-CAcreateserial",
    "-days", "2", "-extfile", file("ext"), "-out", file("crt"),
  ]);
  return { certFile: file("crt"), keyFile: file("key") };
}

interface RegistryProcess {
  host: string;
  url: string;
  stop(): Promise<void>;
}

/** Starts `docker-registry` with TLS and `authYaml`, resolving once `GET /v2/` answers `unauthenticatedV2Status`. */
async function startRegistryProcess(
  workDir: string,
  pki: Pki,
  opts: { authYaml: string; unauthenticatedV2Status: number },
): Promise<RegistryProcess> {
  const q = JSON.stringify;
  const configFile = path.join(workDir, "config.yml");
  const logFile = path.join(workDir, "registry.log");
  // Port 0 lets the kernel pick a free port without a race; the registry logs the one it got.
  await writeFile(configFile, `version: 0.1
log:
  level: info
storage:
  filesystem:
    rootdirectory: ${q(path.join(workDir, "storage"))}
http:
  addr: 127.0.0.1:0
  secret: ${q(randomBytes(16).toString("hex"))}
  tls:
    certificate: ${q(pki.serverCert)}
    key: ${q(pki.serverKey)}
${opts.authYaml}`);

  const log = await open(logFile, "w");
  let child: ChildProcess;
  try {
    child = spawn("docker-registry", ["serve", configFile], { stdio: ["ignore", log.fd, log.fd] });
  } finally {
    await log.close();
  }
  const ended = whenEnded(child);
  // A test process killed mid-run must not leave the registry behind.
  const killOnExit = () => child.kill("SIGKILL");
  process.on("exit", killOnExit);
  const stop = once(async () => {
    process.off("exit", killOnExit);
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
    await ended;
    clearTimeout(timer);
  });

  try {
    const waitFor = waiter(ended, logFile);
    const port = await waitFor("the registry to listen", async () => /listening on 127\.0\.0\.1:(\d+)/.exec(await readFile(logFile, "utf8"))?.[1]);
    const host = `localhost:${port}`;
    const url = `https://${host}`;
    const ca = await readFile(pki.caFile);
    await waitFor(`GET /v2/ to answer ${opts.unauthenticatedV2Status}`, async () =>
      (await getStatus(`${url}/v2/`, ca)) === opts.unauthenticatedV2Status ? true : undefined,
    );
    return { host, url, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** A poll that waits until a probe yields a value; it fails early, with the log's tail, once the process has ended. */
function waiter(ended: Promise<string>, logFile: string) {
  let endedWhy: string | undefined;
  void ended.then((why) => (endedWhy = why));
  return async <T>(what: string, probe: () => Promise<T | undefined>): Promise<T> => {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const value = await probe().catch(() => undefined);
      if (value !== undefined) return value;
      if (endedWhy !== undefined || Date.now() > deadline) {
        const log = await readFile(logFile, "utf8").catch(() => "");
        throw new Error(`Waiting for ${what}: ${endedWhy !== undefined ? `the registry ${endedWhy}` : "timed out"}. Log tail:\n${log.slice(-2000)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
}


function getStatus(url: string, ca: Buffer): Promise<number | undefined> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca, timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode);
    });
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", reject);
    req.end();
  });
}


async function listen(server: TcpServer): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  return (server.address() as AddressInfo).port;
}

function closeTcpServer(server: TcpServer): Promise<void> {
  return new Promise((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
}

/** Closes without waiting for clients' idle keep-alive connections to time out. */
function closeHttpServer(server: HttpServer): Promise<void> {
  const closed = closeTcpServer(server);
  server.closeAllConnections();
  return closed;
}

/** Makes `fn` run at most once; later calls share the first call's promise. */
function once(fn: () => Promise<void>): () => Promise<void> {
  let result: Promise<void> | undefined;
  return () => (result ??= fn());
}

