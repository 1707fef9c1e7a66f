#!/usr/bin/env node
// Serves the production build (what `next start` does) and stamps every request with the address
// of the socket it came from, which the sign-in throttle keys clients by (lib/auth/client-address.ts).
// Next.js alone cannot be asked for it: it sets X-Forwarded-For only when the client did not.
import { createServer } from "node:http";
import path from "node:path";

const PEER_ADDRESS_HEADER = "x-dockyard-peer-address";

process.env.NODE_ENV = "production";
// Tells the app the header above is ours: under plain `next start` it could be the client's.
process.env.DOCKYARD_PEER_ADDRESS_STAMPED = "1";

const root = path.resolve(import.meta.dirname, "..");
const port = Number(process.env.PORT ?? 3000);

// Imported after NODE_ENV is set: Next.js and React choose their production builds from it.
const { default: next } = await import("next");
const app = next({ dev: false, dir: root, port });
const handle = app.getRequestHandler();
await app.prepare();

const server = createServer((req, res) => {
  req.headers[PEER_ADDRESS_HEADER] = req.socket.remoteAddress ?? "";
  handle(req, res);
});
// Every interface, as `next start` does.
server.listen(port, () => console.log(`› Listening on port ${port}`));

for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
