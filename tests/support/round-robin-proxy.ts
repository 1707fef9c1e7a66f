import { createServer, request, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A load balancer in front of several dashboard replicas on loopback: each request goes to the
 * next replica in turn (per request, not per connection, so one browser's requests spread over
 * all of them). It appends the client's address to X-Forwarded-For as a reverse proxy does
 * (the replicas run with TRUST_PROXY_HOPS=1). A replica that refuses the connection (it died) is
 * skipped, as a load balancer's health check would; nothing was sent to it, so nothing repeats.
 */
export interface RoundRobinProxy {
  /** "http://localhost:<port>" */
  url: string;
  /** How many requests each backend answered, by its index. */
  served: number[];
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

/** Listens on `listenPort` on loopback, or on a port the kernel picks. */
export async function startRoundRobinProxy(backendPorts: number[], { listenPort = 0 }: { listenPort?: number } = {}): Promise<RoundRobinProxy> {
  const served = backendPorts.map(() => 0);
  let next = 0;

  const server = createServer(async (req, res) => {
    // Whole, so that it can go to another replica if the first one refuses the connection.
    const body = await readBody(req);
    const forwardedFor = [req.headers["x-forwarded-for"], req.socket.remoteAddress].filter(Boolean).join(", ");
    const attempt = (tries: number) => {
      const index = next++ % backendPorts.length;
      const upstream = request(
        { host: "127.0.0.1", port: backendPorts[index], method: req.method, path: req.url, headers: { ...req.headers, "x-forwarded-for": forwardedFor }, agent: false },
        (answer) => {
          served[index]!++;
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on("error", (err: NodeJS.ErrnoException) => {
        if (err.code === "ECONNREFUSED" && tries < backendPorts.length) return attempt(tries + 1);
        if (!res.headersSent) res.writeHead(502, { "content-type": "text/plain" });
        res.end(`proxy: ${err.code ?? err.message}\n`);
      });
      upstream.end(body);
    };
    attempt(1);
  });
  await new Promise<void>((resolve) => server.listen(listenPort, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://localhost:${port}`,
    served,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
