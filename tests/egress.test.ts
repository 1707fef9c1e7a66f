import http from "node:http";
import net, { type AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { db } from "@/db";
import { containers, environments, registries } from "@/db/schema";
import { environmentActions } from "@/lib/environments/actions";
import { sealed } from "@/lib/environments/connection";
import { containerActions } from "@/lib/containers/actions";
import { registryActions } from "@/lib/registries/actions";
import { runDeployment } from "@/lib/containers/deployments";
import { egressAgent, egressPolicy, EgressRefused, resolveVetted, vetAddress, type EgressPolicy } from "@/lib/egress";
import { ecrPullCredentials, EcrError } from "@/lib/deploy/ecr";
import { kubeClients, listNamespaces, KubeError } from "@/lib/deploy/kubernetes";
import { siteOf } from "@/lib/registries/live-check";
import type { CommandRunner } from "@/lib/deploy/command";
import { newUser, publicContainer } from "./fixtures";
import { kubeconfigYaml, namespaceListJson } from "./support/kubeconfig";

/**
 * The attacks of issue 9 against the one egress policy. This file runs with the server's policy
 * as shipped (no network allowed): every address a user types that points back inside must be
 * refused before a connection is made. Real traffic only ever goes to loopback listeners here;
 * metadata, private and other addresses are vetted as pure functions or through a stand-in
 * resolver, so even wrong code could not send a packet there.
 */

type Listener = { port: number; url: string; connections: () => number; close: () => Promise<void> };

/** A loopback listener that counts connections and answers with `respond` (HTTP) when given. */
async function listener(respond?: http.RequestListener): Promise<Listener> {
  let count = 0;
  const server = respond ? http.createServer(respond) : net.createServer((s) => s.end());
  server.on("connection", () => count++);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return { port, url: `http://127.0.0.1:${port}`, connections: () => count, close: () => new Promise((r) => server.close(() => r())) };
}

/** A listener on a given loopback address and port, for the rebinding test. */
async function listenerOn(host: string, port: number, respond: http.RequestListener): Promise<Listener> {
  let count = 0;
  const server = http.createServer(respond);
  server.on("connection", () => count++);
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  const l = { port, url: `http://${host}:${port}`, connections: () => count, close: () => new Promise<void>((r) => server.close(() => r())) };
  attacked.push(l);
  return l;
}

const serverPolicy = globalThis as unknown as { __egressPolicy?: EgressPolicy };
const LOOPBACK = ["127.0.0.0/8", "::1/128"];

/** Runs `fn` as if an operator had allowed loopback (to save rows an attacker could have saved before a policy change). */
async function withLoopbackAllowed<T>(fn: () => Promise<T>, allowing = egressPolicy(LOOPBACK)): Promise<T> {
  const before = serverPolicy.__egressPolicy;
  serverPolicy.__egressPolicy = allowing;
  try {
    return await fn();
  } finally {
    serverPolicy.__egressPolicy = before;
  }
}

const kubeconfig = (server: string) => kubeconfigYaml({ server, "insecure-skip-tls-verify": true }, { token: "attacker-token-0123456789" });

const rand = () => Math.random().toString(36).slice(2, 8);
/** Listeners standing for internal services an attacker aims at: none may ever see a connection. */
const attacked: Listener[] = [];
/** Listeners the test itself means to reach (loopback explicitly allowed). */
const reached: Listener[] = [];
async function counted(respond?: http.RequestListener) {
  const l = await listener(respond);
  attacked.push(l);
  return l;
}
async function allowedTarget(respond: http.RequestListener) {
  const l = await listener(respond);
  reached.push(l);
  return l;
}

let owner: Awaited<ReturnType<typeof newUser>>;
beforeAll(async () => {
  owner = await newUser("egress");
});

afterAll(async () => {
  const total = attacked.reduce((n, l) => n + l.connections(), 0);
  await Promise.all([...attacked, ...reached].map((l) => l.close()));
  // The figure for the closing note: connections that reached an attacked listener (each test asserts 0).
  console.log(`egress attack tests: ${attacked.length} attacked listeners, ${total} connections reached them`);
  expect(total).toBe(0);
});

describe("the policy as a pure function", () => {
  const strict = egressPolicy([], { ownAddresses: ["198.51.100.7", "2001:db8::7", "8.8.4.4"] });

  it("refuses every internal range, naming why", () => {
    const cases: [string, string][] = [
      ["169.254.169.254", "link-local"],
      ["fd00:ec2::254", "private"],
      ["fe80::1", "link-local"],
      ["10.1.2.3", "private"],
      ["172.16.0.5", "private"],
      ["192.168.1.10", "private"],
      ["100.64.0.1", "shared"],
      ["127.0.0.1", "loopback"],
      ["127.8.9.10", "loopback"],
      ["::1", "loopback"],
      ["0.0.0.0", "this-host"],
      ["::", "this-host"],
      ["224.0.0.1", "multicast"],
      ["ff02::1", "multicast"],
      ["240.0.0.1", "reserved"],
      ["255.255.255.255", "reserved"],
      ["::ffff:10.0.0.1", "private"],
      ["::ffff:127.0.0.1", "loopback"],
      ["64:ff9b::a00:1", "reserved"],
      ["2002:a00:1::", "reserved"],
    ];
    for (const [address, kind] of cases) expect(vetAddress(address, strict), address).toEqual({ ok: false, kind });
  });

  it("refuses the host's own interface addresses, also outside the ranges", () => {
    expect(vetAddress("8.8.4.4", strict)).toEqual({ ok: false, kind: "own-address" });
  });

  it("lets public addresses through, and allowed networks override a refusal", () => {
    expect(vetAddress("1.1.1.1", strict)).toEqual({ ok: true });
    expect(vetAddress("2606:4700::1111", strict)).toEqual({ ok: true });
    const allowing = egressPolicy(["10.20.0.0/16", "fd00::/8"]);
    expect(vetAddress("10.20.3.4", allowing)).toEqual({ ok: true });
    expect(vetAddress("10.21.3.4", allowing)).toEqual({ ok: false, kind: "private" });
    expect(vetAddress("fd00:ec2::254", allowing)).toEqual({ ok: true });
  });

  it("a name with one bad address among good ones is refused whole", async () => {
    const policy = egressPolicy([], { resolve: async () => [{ address: "1.1.1.1", family: 4 }, { address: "169.254.169.254", family: 4 }] });
    await expect(resolveVetted("metadata.attacker.test", policy)).rejects.toThrow(/169\.254\.169\.254.*link-local/);
  });
});

describe("connect to exactly the vetted address", () => {
  it("resolves once per connection: a rebinding second answer is never used", async () => {
    const target = await allowedTarget((_req, res) => res.end("ok"));
    // The rebinding answer is another loopback address (not allowed here), with a listener of its
    // own: were the policy wrong, the connection would land there, never off this machine.
    const rebound = await listenerOn("127.0.0.2", target.port, (_req, res) => res.end("rebound"));
    const answers = ["127.0.0.1", "127.0.0.2"];
    let lookups = 0;
    const policy = egressPolicy(["127.0.0.1/32"], { resolve: async () => [{ address: answers[Math.min(lookups++, 1)]!, family: 4 }] });
    const body = await new Promise<string>((resolve, reject) => {
      http
        .get(`http://rebind.attacker.test:${target.port}/`, { agent: egressAgent("http:", policy) }, (res) => {
          let text = "";
          res.on("data", (c) => (text += c));
          res.on("end", () => resolve(text));
        })
        .on("error", reject);
    });
    expect(body).toBe("ok");
    expect(lookups).toBe(1);
    // The next connection gets the rebinding answer, and is refused before connecting.
    const err = await new Promise<Error>((resolve) => {
      http.get(`http://rebind.attacker.test:${target.port}/`, { agent: egressAgent("http:", policy) }, () => resolve(new Error("connected"))).on("error", resolve);
    });
    expect(err).toBeInstanceOf(EgressRefused);
    expect(target.connections()).toBe(1);
    expect(rebound.connections()).toBe(0);
  });

  it("an IP literal (which skips DNS) is vetted too", async () => {
    const target = await counted((_req, res) => res.end("leak"));
    const err = await new Promise<Error>((resolve) => {
      http.get(`${target.url}/`, { agent: egressAgent("http:", egressPolicy([])) }, () => resolve(new Error("connected"))).on("error", resolve);
    });
    expect(err).toBeInstanceOf(EgressRefused);
    expect(target.connections()).toBe(0);
  });
});

describe("Kubernetes API addresses (finding 1)", () => {
  it("a kubeconfig pointing at loopback, the database or a name for it is refused on the field; nothing connects", async () => {
    const api = await counted((_req, res) => res.writeHead(200, { "content-type": "application/json" }).end('{"items":[{"metadata":{"name":"leaked"}}]}'));
    for (const server of [api.url, `http://localhost:${api.port}`, `${api.url}/leak`, "http://127.0.0.1:5432", "https://[::1]:6443"]) {
      const r = await environmentActions.create(owner.session, { teamSlug: owner.team.slug, name: `k-${rand()}`, slug: `k-${rand()}`, orchestrator: "kubernetes", kubeconfig: kubeconfig(server) });
      expect(r, server).toMatchObject({ ok: false, fieldErrors: { kubeconfig: [expect.stringMatching(/loopback address.*EGRESS_ALLOWED_NETWORKS/)] } });
    }
    expect(api.connections()).toBe(0);
  });

  it("an environment saved before the policy refused it: Test and Deploy are refused, nothing connects, nothing is echoed", async () => {
    const api = await counted((_req, res) => res.writeHead(200, { "content-type": "application/json" }).end('{"items":[{"metadata":{"name":"leaked-namespace"}}]}'));
    const created = await withLoopbackAllowed(() =>
      environmentActions.create(owner.session, { teamSlug: owner.team.slug, name: `old-${rand()}`, slug: `old-${rand()}`, orchestrator: "kubernetes", kubeconfig: kubeconfig(`${api.url}/leak`) }),
    );
    if (!created.ok) throw new Error(JSON.stringify(created));
    const test = await environmentActions.test(owner.session, { teamSlug: owner.team.slug, environmentId: created.data.environmentId });
    expect(test).toMatchObject({ ok: true, data: { ok: false, message: expect.stringContaining("loopback address") } });
    expect(JSON.stringify(test)).not.toContain("leaked-namespace");

    const containerId = await publicContainer(owner, created.data.environmentId);
    const outcome = await runDeployment(owner.team, owner.user, { containerId, action: "deploy" });
    expect(outcome).toMatchObject({ status: "failed", message: expect.stringContaining("loopback address") });
    expect(api.connections()).toBe(0);
  });

  it("an environment rewritten to point at a refused address is refused at its next use, though its earlier connection was cached", async () => {
    let requests = 0;
    const api = await allowedTarget((_req, res) => {
      requests++;
      res.writeHead(200, { "content-type": "application/json" }).end(namespaceListJson("default"));
    });
    // Where the rewritten name leads: a listener on another loopback address, outside what this
    // policy allows, so that were the cached connection or the vetting to let it through, the
    // connection would be counted here and never leave the machine.
    const moved = await listenerOn("127.0.0.2", api.port, (_req, res) => res.writeHead(200, { "content-type": "application/json" }).end(namespaceListJson("moved")));
    // One policy throughout, so that its cached clients could be reused if the cache let them.
    const allowing = egressPolicy(["127.0.0.1/32"], {
      resolve: async (host) => (host === "moved.attacker.test" ? [{ address: "127.0.0.2", family: 4 }] : [{ address: host, family: 4 }]),
    });
    const created = await withLoopbackAllowed(
      () => environmentActions.create(owner.session, { teamSlug: owner.team.slug, name: `moved-${rand()}`, slug: `moved-${rand()}`, orchestrator: "kubernetes", kubeconfig: kubeconfig(api.url) }),
      allowing,
    );
    if (!created.ok) throw new Error(JSON.stringify(created));
    const environmentId = created.data.environmentId;
    const test = () => withLoopbackAllowed(() => environmentActions.test(owner.session, { teamSlug: owner.team.slug, environmentId }), allowing);
    expect(await test()).toMatchObject({ ok: true, data: { ok: true, namespaces: ["default"] } });
    expect(requests).toBe(1);

    // Rewritten as an edit saved before the policy refused it would be (a save now refuses it on the field).
    const [row] = await db().select().from(environments).where(eq(environments.id, environmentId));
    await db()
      .update(environments)
      .set(sealed(row!, { kubeconfig: kubeconfig(`http://moved.attacker.test:${api.port}`) }))
      .where(eq(environments.id, environmentId));
    expect(await test()).toMatchObject({ ok: true, data: { ok: false, message: expect.stringContaining("loopback address") } });
    expect(requests).toBe(1);
    expect(moved.connections()).toBe(0);
    await db().delete(environments).where(eq(environments.id, environmentId));
  });

  it("a name resolving to metadata or private addresses is refused (vetted as a pure step: no socket)", async () => {
    for (const address of ["169.254.169.254", "10.0.0.1", "fd00::1"]) {
      const policy = egressPolicy([], { resolve: async () => [{ address, family: address.includes(":") ? 6 : 4 }] });
      await expect(resolveVetted("kube.attacker.test", policy)).rejects.toThrow(`resolves to ${address}`);
    }
  });

  it("the Kubernetes client resolves through the policy: a name for a refused address never connects", async () => {
    // The stand-in resolver answers with a loopback listener's address: were the client to skip
    // the policy, the connection would be counted here (and never leave the machine).
    const api = await counted((_req, res) => res.writeHead(200, { "content-type": "application/json" }).end("{}"));
    const policy = egressPolicy([], { resolve: async () => [{ address: "127.0.0.1", family: 4 }] });
    const err = await listNamespaces(kubeClients({ kubeconfig: kubeconfig(`http://kube.attacker.test:${api.port}`) }, { policy, timeoutMs: 2000 })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KubeError);
    expect((err as Error).message).toContain("kube.attacker.test resolves to 127.0.0.1");
    expect(api.connections()).toBe(0);
  });
});

describe("what an API server says reaches a user only as Kubernetes objects (finding 1)", () => {
  const MARKER = "UPSTREAM-MARKER-7f3a";
  const loopback = egressPolicy(LOOPBACK);
  const answer = (status: number, type: string, body: string) => allowedTarget((_req, res) => res.writeHead(status, { "content-type": type }).end(body));
  const list = async (url: string) => listNamespaces(kubeClients({ kubeconfig: kubeconfig(url) }, { policy: loopback, timeoutMs: 2000 })).catch((e: unknown) => e);

  it("an error that is not a Status: its status code and media type only", async () => {
    const html = await answer(200, "text/html", `<html>${MARKER}</html>`);
    const json = await answer(500, "application/json", JSON.stringify({ message: MARKER }));
    const items = await answer(200, "application/json", JSON.stringify({ items: [{ metadata: { name: MARKER.toLowerCase() } }] }));
    const e1 = (await list(html.url)) as Error;
    expect(e1.message).toContain("not a Kubernetes API server (HTTP 200, text/html)");
    const e2 = (await list(json.url)) as Error;
    expect(e2.message).toContain("not a Kubernetes API server (HTTP 500, application/json)");
    const e3 = (await list(items.url)) as Error;
    expect(e3.message).toContain("not a Kubernetes API server (HTTP 200, application/json)");
    for (const e of [e1, e2, e3]) expect(e.message.toLowerCase()).not.toContain(MARKER.toLowerCase());
  });

  it("a real Status: reason, code and a message capped at 200 characters", async () => {
    const long = `${MARKER} ${"x".repeat(400)}`;
    const status = await answer(403, "application/json", JSON.stringify({ kind: "Status", apiVersion: "v1", status: "Failure", reason: "Forbidden", code: 403, message: long }));
    const err = (await list(status.url)) as KubeError;
    expect(err.status).toBe(403);
    expect(err.message).toContain("not allowed");
    expect(err.message).toContain("Forbidden");
    expect(err.message).not.toContain("x".repeat(200));
  });

  it("namespace names only from a NamespaceList, and only names that can be namespaces", async () => {
    const good = await answer(
      200,
      "application/json",
      namespaceListJson("default", "<script>alert(1)</script>"),
    );
    expect(await list(good.url)).toEqual(["default"]);
  });
});

describe("Docker hosts and registry logins (finding 2)", () => {
  it("tcp:// and ssh:// hosts on internal addresses are refused at save; nothing connects", async () => {
    const engine = await counted();
    const base = { teamSlug: owner.team.slug, orchestrator: "swarm" as const };
    const tcp = await environmentActions.create(owner.session, { ...base, name: `t-${rand()}`, slug: `t-${rand()}`, dockerHost: `tcp://127.0.0.1:${engine.port}`, tlsCa: CERT, tlsCert: CERT, tlsKey: KEY });
    expect(tcp).toMatchObject({ ok: false, fieldErrors: { dockerHost: [expect.stringContaining("loopback address")] } });
    const ssh = await environmentActions.create(owner.session, { ...base, name: `s-${rand()}`, slug: `s-${rand()}`, dockerHost: `ssh://root@localhost:${engine.port}`, sshPrivateKey: KEY });
    expect(ssh).toMatchObject({ ok: false, fieldErrors: { dockerHost: [expect.stringContaining("localhost resolves to")] } });
    expect(engine.connections()).toBe(0);
  });

  it("a Custom registry on an internal address gets a field error at save", async () => {
    const reg = await counted();
    for (const url of [reg.url, `https://localhost:${reg.port}`]) {
      const r = await registryActions.create(owner.session, { teamSlug: owner.team.slug, name: `c-${rand()}`, type: "Custom", credentials: { url, username: "u", password: "p4ssword-xyz" } });
      expect(r, url).toMatchObject({ ok: false, fieldErrors: { "credentials.url": [expect.stringContaining("loopback address")] } });
    }
    expect(reg.connections()).toBe(0);
  });

  it("a registry saved before the policy refused it is refused again at deploy: no login runs, nothing connects", async () => {
    const reg = await counted();
    const { env, registry } = await withLoopbackAllowed(async () => {
      const env = await environmentActions.create(owner.session, { teamSlug: owner.team.slug, name: `c-${rand()}`, slug: `c-${rand()}`, orchestrator: "compose", dockerHost: "unix:///var/run/docker.sock" });
      const registry = await registryActions.create(owner.session, { teamSlug: owner.team.slug, name: `r-${rand()}`, type: "Custom", credentials: { url: reg.url, username: "u", password: "p4ssword-xyz" } });
      if (!env.ok || !registry.ok) throw new Error(JSON.stringify([env, registry]));
      return { env: env.data, registry: registry.data };
    });
    const ctr = await containerActions.create(owner.session, {
      teamSlug: owner.team.slug,
      environmentId: env.environmentId,
      name: "api",
      registryId: registry.registryId,
      imageName: `127.0.0.1:${reg.port}/team/api`,
      imageTag: "1",
      replicas: 1,
      port: null,
    });
    if (!ctr.ok) throw new Error(JSON.stringify(ctr));
    const containerId = ctr.data.containerId;
    let calls = 0;
    const runner: CommandRunner = async () => {
      calls++;
      return { code: 0, stdout: "", stderr: "" };
    };
    const outcome = await runDeployment(owner.team, owner.user, { containerId, action: "deploy" }, { runner });
    expect(outcome).toMatchObject({ status: "failed", message: expect.stringContaining("not attempted") });
    expect(calls).toBe(0);
    expect(reg.connections()).toBe(0);
    const [row] = await db().select().from(containers).where(eq(containers.id, containerId));
    expect(row).toBeDefined();
    await db().delete(containers).where(eq(containers.id, containerId));
    await db().delete(registries).where(eq(registries.id, registry.registryId));
    await db().delete(environments).where(eq(environments.id, env.environmentId));
  });
});

describe("ECR endpoints", () => {
  it("an endpoint on an internal address is refused before connecting", async () => {
    const fake = await counted();
    const err = await ecrPullCredentials({ accessKeyId: "AKIAABCDEFGHIJKLMNOP", secretAccessKey: "a".repeat(40), region: "us-east-1" }, { endpoint: fake.url, timeoutMs: 2000 }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(EcrError);
    expect((err as Error).message).toContain("loopback address");
    expect(fake.connections()).toBe(0);
  });
});

describe("token realm site (finding 6)", () => {
  it("compares registrable domains by the public-suffix list", () => {
    expect(siteOf("a.co.uk")).not.toBe(siteOf("b.co.uk"));
    expect(siteOf("auth.example.co.uk")).toBe(siteOf("registry.example.co.uk"));
    expect(siteOf("alice.github.io")).not.toBe(siteOf("mallory.github.io"));
    expect(siteOf("token.ghcr.io")).toBe(siteOf("ghcr.io"));
    expect(siteOf("127.0.0.1")).toBe("127.0.0.1");
  });
});

const CERT = "-----BEGIN CERTIFICATE-----\nMIIBfakecertificatematerial\n-----END CERTIFICATE-----";
const KEY = "-----BEGIN PRIVATE KEY-----\nMIIEfakekeymaterial\n-----END PRIVATE KEY-----";
