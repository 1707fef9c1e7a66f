import https from "node:https";
import { mkdtemp, readFile } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import type { TLSSocket } from "node:tls";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { egressPolicy } from "@/lib/egress";
import { kubeClients, listNamespaces } from "@/lib/deploy/kubernetes";
import { kubeconfigYaml, namespaceListJson } from "./support/kubeconfig";
import { createPki, issueCertificate } from "./support/registry-servers";

/**
 * The Kubernetes clients: kept per kubeconfig text and egress policy for a while, and over TLS
 * (an HTTPS listener with a throw-away CA) every request goes through their one keep-alive egress
 * agent, which must carry what the kubeconfig says (its CA, client certificate, TLS server name,
 * token or basic auth) and still verify.
 */

type Seen = { authorization?: string; clientCert?: string; serverName?: string };

let server: https.Server;
let url: string;
let ca: string;
let client: { cert: string; key: string };
const seen: Seen[] = [];
let connections = 0;
const loopback = egressPolicy(["127.0.0.0/8"]);

beforeAll(async () => {
  const pki = await createPki(await mkdtemp(path.join(tmpdir(), "kube-tls-")));
  const issued = await issueCertificate(pki, "client", "/CN=deployer", "extendedKeyUsage=clientAuth\n");
  const pem = (file: string) => readFile(file, "utf8");
  [ca, client] = [await pem(pki.caFile), { cert: await pem(issued.certFile), key: await pem(issued.keyFile) }];
  server = https.createServer({ key: await pem(pki.serverKey), cert: await pem(pki.serverCert), ca, requestCert: true, rejectUnauthorized: false }, (req, res) => {
    const socket = req.socket as TLSSocket;
    seen.push({ authorization: req.headers.authorization, clientCert: socket.getPeerCertificate().subject?.CN as string | undefined, serverName: (socket as TLSSocket & { servername?: string | false }).servername || undefined });
    res.writeHead(200, { "content-type": "application/json" }).end(namespaceListJson("default"));
  });
  server.on("secureConnection", () => connections++);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => {
  server?.closeAllConnections();
  server?.close();
});

const b64 = (pem: string) => Buffer.from(pem).toString("base64");
const kubeconfig = (cluster: Record<string, unknown>, user: Record<string, unknown>) => kubeconfigYaml({ server: url, ...cluster }, user);
const list = (text: string) => listNamespaces(kubeClients({ kubeconfig: text }, { policy: loopback, timeoutMs: 3000 }));

describe("the clients' cache", () => {
  afterEach(() => vi.useRealTimers());

  it("keeps one set of clients per kubeconfig text and egress policy, and makes them afresh after ten minutes", () => {
    vi.useFakeTimers();
    const withToken = (token: string) => ({ kubeconfig: kubeconfig({}, { token }) });
    const first = kubeClients(withToken("token-one-0123456789"), { policy: loopback });
    expect(kubeClients(withToken("token-one-0123456789"), { policy: loopback })).toBe(first);
    // A rotated token is a new text; another policy (an operator's change) gets its own clients.
    expect(kubeClients(withToken("token-two-0123456789"), { policy: loopback })).not.toBe(first);
    expect(kubeClients(withToken("token-one-0123456789"), { policy: egressPolicy(["10.0.0.0/8"]) })).not.toBe(first);
    vi.advanceTimersByTime(10 * 60_000);
    expect(kubeClients(withToken("token-one-0123456789"), { policy: loopback })).not.toBe(first);
  });
});

describe("over TLS", () => {
  it("a CA and a token: verified, the token sent, one connection kept alive for every request", async () => {
    const text = kubeconfig({ "certificate-authority-data": b64(ca) }, { token: "tls-token-0123456789" });
    const before = connections;
    for (let i = 0; i < 3; i++) expect(await list(text)).toEqual(["default"]);
    expect(seen.at(-1)).toMatchObject({ authorization: "Bearer tls-token-0123456789" });
    expect(connections - before).toBe(1);
  });

  it("a client certificate and a TLS server name are what the connection presents and verifies", async () => {
    expect(await list(kubeconfig({ "certificate-authority-data": b64(ca), "tls-server-name": "localhost" }, { "client-certificate-data": b64(client.cert), "client-key-data": b64(client.key) }))).toEqual(["default"]);
    expect(seen.at(-1)).toEqual({ clientCert: "deployer", serverName: "localhost" });
    await expect(list(kubeconfig({ "certificate-authority-data": b64(ca), "tls-server-name": "other.example.test" }, { token: "tls-token-0123456789" }))).rejects.toThrow(/certificate is for another host name/);
  });

  it("without the CA the server is not trusted, unless the kubeconfig turns verification off (then basic auth goes along)", async () => {
    await expect(list(kubeconfig({}, { token: "tls-token-0123456789" }))).rejects.toThrow(/untrusted \(self-signed\) authority/);
    expect(await list(kubeconfig({ "insecure-skip-tls-verify": true }, { username: "admin", password: "tls-password-0123" }))).toEqual(["default"]);
    expect(seen.at(-1)).toMatchObject({ authorization: `Basic ${Buffer.from("admin:tls-password-0123").toString("base64")}` });
  });
});
