#!/usr/bin/env node
// Serves the production build (what `next start` does) and stamps every request with the address
// of the socket it came from, which the sign-in throttle keys clients by (lib/auth/client-address.ts).
// Next.js alone cannot be asked for it: it sets X-Forwarded-For only when the client did not.
// The same file serves the container image: the Dockerfile copies it to scripts/ beside the
// standalone output, so `root` is the app's directory in both places.
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import path from "node:path";

const PEER_ADDRESS_HEADER = "x-dockyard-peer-address";
const REQUEST_ID_HEADER = "x-request-id";
// What a reverse proxy's request id may look like to be kept (nginx's $request_id, a UUID).
const PROXY_REQUEST_ID = /^[A-Za-z0-9._:-]{8,128}$/;

process.env.NODE_ENV = "production";
// Tells the app the header above is ours: under plain `next start` it could be the client's.
process.env.DOCKYARD_PEER_ADDRESS_STAMPED = "1";

const root = path.resolve(import.meta.dirname, "..");
process.chdir(root);
const port = Number(process.env.PORT ?? 3000);
const trustProxy = Number(process.env.TRUST_PROXY_HOPS ?? 0) > 0;

// The configuration the build was made with, as the standalone server.js embeds it: the image has
// no next.config.ts (nor the compiler to read one), and here it is the same config.
const built = JSON.parse(readFileSync(path.join(root, ".next", "required-server-files.json"), "utf8"));
// With the embedded database (a small installation) each page's modules load when the page is
// first asked for rather than all at start: about 25 MiB less for pages that may never be opened.
if (!process.env.DATABASE_URL) built.config.experimental = { ...built.config.experimental, preloadEntriesOnStart: false };
process.env.__NEXT_PRIVATE_STANDALONE_CONFIG = JSON.stringify(built.config);

// Imported after NODE_ENV is set: Next.js and React choose their production builds from it.
const { default: next } = await import("next");
const app = next({ dev: false, dir: root, port });
const handle = app.getRequestHandler();
await app.prepare();

// Registered by the app at start (lib/metrics.ts, lib/lifecycle.ts): this file is not bundled with it.
const metrics = () => globalThis[Symbol.for("dockyard.metrics")];
const lifecycle = () => globalThis[Symbol.for("dockyard.lifecycle")];

const server = createServer((req, res) => {
  const started = performance.now();
  req.headers[PEER_ADDRESS_HEADER] = req.socket.remoteAddress ?? "";
  const given = req.headers[REQUEST_ID_HEADER];
  const id = trustProxy && typeof given === "string" && PROXY_REQUEST_ID.test(given) ? given : randomUUID();
  req.headers[REQUEST_ID_HEADER] = id;
  res.setHeader("X-Request-Id", id);
  res.on("finish", () => {
    const pathname = (req.url ?? "/").split("?")[0];
    metrics()?.recordRequest(req.method ?? "GET", pathname, res.statusCode, (performance.now() - started) / 1000);
  });
  handle(req, res);
});
// Every interface, as `next start` does.
server.listen(port, () => console.log(`› Listening on port ${port}`));

/**
 * SIGTERM (Kubernetes, `docker stop`) and SIGINT: take no new connections, let the requests in
 * flight finish, let the background work wind down (lib/lifecycle.ts), then close the database
 * and exit 0. Whatever is still running after SHUTDOWN_TIMEOUT_SECONDS is cut off (exit 1).
 */
let stopping = false;
function shutdown(signal) {
  if (stopping) return;
  stopping = true;
  const hooks = lifecycle();
  const timeoutMs = hooks?.shutdownTimeoutMs ?? 25_000;
  setTimeout(() => {
    console.error(`› ${signal}: still busy after ${timeoutMs} ms; exiting anyway`);
    process.exit(1);
  }, timeoutMs).unref();
  const closed = new Promise((resolve) => server.close(resolve));
  // Keep-alive connections go as soon as they are idle, not when the client next speaks.
  const idle = setInterval(() => server.closeIdleConnections(), 100);
  // The deploys get what is left after a margin for recording those that must be cut off.
  Promise.all([closed, hooks?.drain(Math.max(timeoutMs - 3000, 0))])
    .then(() => clearInterval(idle))
    .then(() => hooks?.close())
    .then(
      () => process.exit(0),
      (err) => {
        console.error(`› ${signal}: shutdown failed: ${err instanceof Error ? err.message : String(err)}`);
        process.exit(1);
      },
    );
}
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => shutdown(signal));
