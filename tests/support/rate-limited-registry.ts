import { copyFile, mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer, request, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { createPki } from "./registry-servers";
import type { TestRegistry } from "./test-registry";

/**
 * A registry that has run out of pulls: a TLS proxy on loopback in front of a real test registry
 * that answers every manifest request with Docker Hub's 429 (its `toomanyrequests` error and
 * rate-limit headers) while `limited` is true, and passes everything else through. Clients trust
 * it through /etc/containers/certs.d, like the registry behind it.
 */
export interface RateLimitedRegistry {
  /** "localhost:<port>" */
  host: string;
  /** "https://localhost:<port>" */
  url: string;
  limited: boolean;
  /** Manifest requests answered 429 so far. */
  readonly refused: number;
  stop(): Promise<void>;
}

const CONTAINERS_CERTS_DIR = "/etc/containers/certs.d";

// Docker Hub's own wording (see https://docs.docker.com/docker-hub/usage/pulls/).
const TOO_MANY_REQUESTS = JSON.stringify({
  errors: [{ code: "TOOMANYREQUESTS", message: "You have reached your pull rate limit. You may increase the limit by authenticating and upgrading: https://www.docker.com/increase-rate-limit" }],
});

export async function startRateLimitedRegistry(upstream: TestRegistry): Promise<RateLimitedRegistry> {
  const workDir = await mkdtemp(path.join(tmpdir(), "rate-limited-registry-"));
  const upstreamCa = await readFile(upstream.caFile);
  let refused = 0;
  let certsDirForPort: string | undefined;
  let server: Server | undefined;
  const state = { limited: true };
  const stop = async () => {
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server!.close(() => resolve()));
    }
    if (certsDirForPort) await rm(certsDirForPort, { recursive: true, force: true });
    await rm(workDir, { recursive: true, force: true });
  };
  try {
    const pki = await createPki(workDir);
    server = createServer({ cert: await readFile(pki.serverCert), key: await readFile(pki.serverKey) }, (req, res) => {
      if (state.limited && /^\/v2\/.+\/manifests\/[^/]+$/.test(new URL(req.url ?? "/", "https://localhost").pathname)) {
        refused++;
        req.resume();
        // Retry-After 0: containers/image (skopeo, CRI-O) retries a 429 five times, waiting 2 s
        // doubling unless told otherwise, before it reports it; a test need not wait a minute.
        res.writeHead(429, {
          "content-type": "application/json",
          "retry-after": "0",
          "ratelimit-limit": "100;w=21600",
          "ratelimit-remaining": "0;w=21600",
          "docker-distribution-api-version": "registry/2.0",
        });
        res.end(TOO_MANY_REQUESTS);
        return;
      }
      const forward = request(
        `${upstream.url}${req.url ?? "/"}`,
        { method: req.method, headers: { ...req.headers, host: upstream.host }, ca: upstreamCa },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      forward.on("error", () => res.destroy());
      req.pipe(forward);
    });
    await new Promise<void>((resolve, reject) => {
      server!.once("error", reject);
      server!.listen(0, "127.0.0.1", () => resolve());
    });
    const host = `localhost:${(server.address() as AddressInfo).port}`;
    certsDirForPort = path.join(CONTAINERS_CERTS_DIR, host);
    await mkdir(certsDirForPort, { recursive: true });
    await copyFile(pki.caFile, path.join(certsDirForPort, "ca.crt"));
    return {
      host,
      url: `https://${host}`,
      get limited() {
        return state.limited;
      },
      set limited(value: boolean) {
        state.limited = value;
      },
      get refused() {
        return refused;
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
