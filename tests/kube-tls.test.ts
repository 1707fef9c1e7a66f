import https from "node:https";
import { mkdtemp, readFile } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import type { TLSSocket } from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { egressPolicy } from "@/lib/egress";
import { kubeClients, listNamespaces } from "@/lib/deploy/kubernetes";
import { createPki, issueCertificate } from "./support/registry-servers";

/**
 * The Kubernetes clients over TLS, against an HTTPS listener with a throw-away CA: every request
 * goes through one keep-alive egress agent per clients, which must carry what the kubeconfig
 * says (its CA, client certificate, TLS server name, token or basic auth) and still verify.
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
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ kind: "NamespaceList", apiVersion: "v1", items: [{ metadata: { name: "default" } }] }));
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
const kubeconfig = (cluster: Record<string, unknown>, user: Record<string, unknown>) =>
  stringify({ apiVersion: "v1", kind: "Config", clusters: [{ name: "c", cluster: { server: url, ...cluster } }], users: [{ name: "u", user }], contexts: [{ name: "x", context: { cluster: "c", user: "u" } }], "current-context": "x" });
const list = (text: string) => listNamespaces(kubeClients({ kubeconfig: text }, { policy: loopback, timeoutMs: 3000 }));

describe("Kubernetes clients over TLS", () => {
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
