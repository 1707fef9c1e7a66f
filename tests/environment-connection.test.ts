import "./support/allow-loopback";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { and, eq } from "drizzle-orm";
import { stringify, parse } from "yaml";
import { db } from "@/db";
import { auditEvents, environments } from "@/db/schema";
import { environmentActions } from "@/lib/environments/actions";
import { containerActions } from "@/lib/containers/actions";
import { runDeployment } from "@/lib/containers/deployments";
import { loadEnvironment, testConnection, testEnvironment } from "@/lib/environments/service";
import { storedConnection } from "@/lib/environments/connection";
import type { CommandRunner } from "@/lib/deploy/command";
import { egressPolicy } from "@/lib/egress";
import { teamActions } from "@/lib/teams/actions";
import type { Session } from "@/lib/actions/safe-action";
import { newUser } from "./fixtures";
import { startKubeServer, type KubeServer } from "./support/kube-server";
import { startKubelet, type KubeletSimulator } from "./support/kubelet";
import { startPodmanEngine, type PodmanEngine } from "./support/podman-engine";
import { closedPort } from "./support/registry-servers";

/**
 * Environments are checked before they are saved and can be edited: the Test of typed values
 * (Kubernetes through the API server, Compose and Swarm through the Docker CLI), errors that name
 * their cause, an http:// kubeconfig end to end, and edits with the registries' secret rules.
 */

let kube: KubeServer;
let kubelet: KubeletSimulator;
let engine: PodmanEngine;
const rand = () => Math.random().toString(36).slice(2, 8);
const KEY = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA-first\n-----END OPENSSH PRIVATE KEY-----\n";
const KEY_2 = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA-second\n-----END OPENSSH PRIVATE KEY-----\n";

/** A kubeconfig for the test server (plain http, as `kubectl proxy` gives), with another token or server when asked. */
const kubeconfig = (patch: { token?: string; server?: string } = {}) => {
  const doc = parse(kube.kubeconfigYaml());
  if (patch.token) doc.users[0].user.token = patch.token;
  if (patch.server) doc.clusters[0].cluster.server = patch.server;
  return stringify(doc);
};
const connection = (values: Record<string, string>) => ({ orchestrator: "kubernetes", kubeMode: "kubeconfig", kubeconfig: "", dockerHost: "", sshPrivateKey: "", tlsCa: "", tlsCert: "", tlsKey: "", ...values });

beforeAll(async () => {
  [kube, engine] = await Promise.all([startKubeServer(), startPodmanEngine()]);
  kubelet = startKubelet(kube, { images: ["docker.io/library/nginx:1.27"] });
}, 120_000);

afterAll(async () => {
  await kubelet?.stop();
  await Promise.all([kube?.close(), engine?.stop()]);
});

describe("access: update and the test of typed values are for owners and admins", () => {
  it("anonymous refused, outsider not found, member forbidden, admin allowed", async () => {
    const owner = await newUser("owner");
    const admin = await newUser("admin");
    const member = await newUser("member");
    const outsider = await newUser("outsider");
    const teamSlug = owner.team.slug;
    await teamActions.addMember(owner.session, { teamSlug, email: admin.user.email, role: "admin" });
    await teamActions.addMember(owner.session, { teamSlug, email: member.user.email, role: "member" });
    const env = await environmentActions.create(owner.session, { teamSlug, name: "acl", slug: `acl-${rand()}`, orchestrator: "kubernetes", kubeconfig: kubeconfig() });
    if (!env.ok) throw new Error(JSON.stringify(env));
    const environmentId = env.data.environmentId;
    const calls: [string, (s: Session) => Promise<unknown>][] = [
      ["update", (s) => environmentActions.update(s, { teamSlug, environmentId, name: "renamed", ...connection({}) })],
      ["test typed", (s) => environmentActions.testConnection(s, { teamSlug, ...connection({ kubeconfig: kubeconfig() }) })],
      ["test typed edit", (s) => environmentActions.testConnection(s, { teamSlug, environmentId, ...connection({}) })],
    ];
    for (const [name, call] of calls) {
      expect(await call(null), name).toMatchObject({ ok: false, code: "unauthenticated" });
      expect(await call(outsider.session), name).toMatchObject({ ok: false, code: "not_found" });
      expect(await call(member.session), name).toMatchObject({ ok: false, code: "forbidden" });
      expect(await call(admin.session), name).toMatchObject({ ok: true });
    }
    // Any member still tests the saved connection.
    expect(await environmentActions.test(member.session, { teamSlug, environmentId })).toMatchObject({ ok: true, data: { ok: true } });
  });
});

describe("Kubernetes: an http:// kubeconfig works end to end, and failures name their cause", () => {
  it("Test before saving, save, Test the saved one, and deploy through it", async () => {
    const owner = await newUser("http");
    const teamSlug = owner.team.slug;
    const config = kubeconfig();
    expect(parse(config).clusters[0].cluster.server).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const typed = await environmentActions.testConnection(owner.session, { teamSlug, ...connection({ kubeconfig: config }) });
    expect(typed).toMatchObject({ ok: true, data: { ok: true, message: expect.stringMatching(/^Connected: \d+ namespaces? visible$/) } });
    const slug = `http-${rand()}`;
    const env = await environmentActions.create(owner.session, { teamSlug, name: "plain http", slug, orchestrator: "kubernetes", kubeconfig: config });
    if (!env.ok) throw new Error(JSON.stringify(env));
    const saved = await environmentActions.test(owner.session, { teamSlug, environmentId: env.data.environmentId });
    expect(saved).toMatchObject({ ok: true, data: { ok: true } });
    const ctr = await containerActions.create(owner.session, { teamSlug, environmentId: env.data.environmentId, name: "web", imageName: "nginx", imageTag: "1.27", replicas: 1, port: null });
    if (!ctr.ok) throw new Error(JSON.stringify(ctr));
    const deployed = await runDeployment(owner.team, owner.user, { containerId: ctr.data.containerId, action: "deploy" }, { rolloutPollMs: 100 });
    expect(deployed).toMatchObject({ status: "succeeded", outcome: "rolled_out" });
    expect(kube.get("deployments", `env-${slug}`, "web")).toMatchObject({ spec: { template: { spec: { containers: [{ image: "docker.io/library/nginx:1.27" }] } } } });
  });

  it("nothing listening, a wrong token and https against a plain-http server each say so, the code beneath", async () => {
    const owner = await newUser("kube-errors");
    const test = (values: Record<string, string>) => testConnection(owner.user, null, connection(values) as never);
    const port = await closedPort();
    expect(await test({ kubeconfig: kubeconfig({ server: `http://127.0.0.1:${port}` }) })).toEqual({
      ok: false,
      message: "Cannot reach the API server — the connection was refused: nothing listens there",
      detail: "Network error: ECONNREFUSED",
    });
    expect(await test({ kubeconfig: kubeconfig({ token: "not-the-token" }) })).toMatchObject({ ok: false, message: "The cluster refused the kubeconfig's credentials", detail: expect.stringContaining("HTTP 401") });
    const https = await test({ kubeconfig: kubeconfig({ server: kube.url.replace("http:", "https:") }) });
    expect(https).toMatchObject({ ok: false, message: expect.stringContaining("the TLS handshake failed (is it plain HTTP?)"), detail: expect.stringMatching(/^TLS error: /) });
    for (const r of [https]) expect(JSON.stringify(r)).not.toContain(kube.token);
  });

  it("the in-cluster service account outside a cluster says so", async () => {
    const owner = await newUser("in-cluster");
    expect(await testConnection(owner.user, null, connection({ kubeMode: "in-cluster" }) as never)).toEqual({
      ok: false,
      message: "The dashboard is not running inside a Kubernetes cluster, so it has no service account to use",
    });
  });

  it("the check itself goes through the egress policy: a refused address is said so, and nothing connects", async () => {
    const owner = await newUser("egress");
    const strict = egressPolicy([]);
    const before = kube.requests.length;
    // The save-time vetting runs first with the server's policy (loopback allowed here); the check itself uses the one given.
    const r = await testConnection(owner.user, null, connection({ kubeconfig: kubeconfig() }) as never, { policy: strict });
    expect(r).toMatchObject({ ok: false, message: expect.stringContaining("loopback address") });
    expect(kube.requests.length).toBe(before);
  });
});

describe("Compose and Swarm: the Test really asks the Docker host", () => {
  it("podman's engine: Compose is connected with its version; Swarm is not a swarm manager", async () => {
    const owner = await newUser("podman");
    const teamSlug = owner.team.slug;
    const compose = await environmentActions.testConnection(owner.session, { teamSlug, ...connection({ orchestrator: "compose", dockerHost: engine.dockerHost }) });
    expect(compose).toMatchObject({ ok: true, data: { ok: true, message: expect.stringMatching(/^Connected: Podman Engine \d+\.\d+\.\d+ \(API [\d.]+, linux\/\w+\)$/) } });
    const swarm = await environmentActions.testConnection(owner.session, { teamSlug, ...connection({ orchestrator: "swarm", dockerHost: engine.dockerHost }) });
    expect(swarm).toMatchObject({ ok: true, data: { ok: false, message: expect.stringMatching(/^Connected to Podman Engine .*, but it is not a swarm manager: the node is not part of a swarm$/), detail: "Swarm state: inactive" } });
    // Saved, the same check runs on the stored connection.
    const env = await environmentActions.create(owner.session, { teamSlug, name: "compose", slug: `c-${rand()}`, orchestrator: "compose", dockerHost: engine.dockerHost });
    if (!env.ok) throw new Error(JSON.stringify(env));
    expect(await environmentActions.test(owner.session, { teamSlug, environmentId: env.data.environmentId })).toMatchObject({ ok: true, data: { ok: true, message: expect.stringContaining("Podman Engine") } });
  });

  it("an engine that is not there: the cause in words and the tool's own line beneath", async () => {
    const owner = await newUser("no-engine");
    const r = await testConnection(owner.user, null, connection({ orchestrator: "compose", dockerHost: "unix:///tmp/dockyard-no-such-engine.sock" }) as never);
    expect(r).toEqual({
      ok: false,
      message: "The Docker engine at unix:///tmp/dockyard-no-such-engine.sock did not answer: the host could not be reached",
      detail: "Cannot connect to the Docker daemon at unix:///tmp/dockyard-no-such-engine.sock. Is the docker daemon running?",
    });
  });

  it("the exact CLI calls, a swarm manager, a worker, and an answer that is not Docker's (injected runner)", async () => {
    const owner = await newUser("runner");
    const calls: { command: string; args: string[]; env: Record<string, string>; stdin?: string }[] = [];
    const engineJson = JSON.stringify({ Server: { Version: "27.3.1", ApiVersion: "1.47", Os: "linux", Arch: "amd64", Components: [{ Name: "Engine" }] } });
    const runnerWith = (swarm: object | string): CommandRunner => async (command, args, opts) => {
      calls.push({ command, args, env: opts.env, stdin: opts.stdin });
      if (args.includes("version")) return { code: 0, stdout: engineJson, stderr: "" };
      return { code: 0, stdout: typeof swarm === "string" ? swarm : JSON.stringify(swarm), stderr: "" };
    };
    // A name the test resolver points at a public address: the CLI is handed that address, not the name.
    const policy = egressPolicy([], { resolve: async () => [{ address: "203.0.114.7", family: 4 }] });
    const swarmAt = (runner: CommandRunner) =>
      testConnection(owner.user, null, connection({ orchestrator: "swarm", dockerHost: "ssh://deploy@manager.example.test", sshPrivateKey: KEY }) as never, { runner, policy }).catch((e: unknown) => e);
    // The save-time vetting resolves with the system resolver: the test name may not resolve, which is no error there.
    expect(await swarmAt(runnerWith({ LocalNodeState: "active", ControlAvailable: true }))).toEqual({ ok: true, message: "Connected: Docker Engine 27.3.1 (API 1.47, linux/amd64), a swarm manager" });
    expect(calls.map((c) => c.args.slice(2))).toEqual([
      ["version", "--format", "{{json .}}"],
      ["info", "--format", "{{json .Swarm}}"],
    ]);
    expect(calls.every((c) => c.command === "docker" && c.args[0] === "--config" && c.env.DOCKER_HOST === "ssh://deploy@203.0.114.7" && c.stdin === undefined)).toBe(true);
    expect(JSON.stringify(calls)).not.toContain("b3BlbnNzaC1rZXktdjEAAAAA");
    expect(await swarmAt(runnerWith({ LocalNodeState: "active", ControlAvailable: false }))).toMatchObject({ ok: false, message: expect.stringContaining("this node is a worker, and only a manager can create services") });
    expect(await swarmAt(runnerWith("<html>nope</html>"))).toMatchObject({ ok: false, message: expect.stringContaining("did not say whether it is in a swarm") });
    const notDocker: CommandRunner = async () => ({ code: 0, stdout: "<html>hello</html>", stderr: "" });
    expect(await swarmAt(notDocker)).toEqual({ ok: false, message: "ssh://deploy@manager.example.test answered, but not as a Docker engine", detail: "docker version gave no server version" });
  });
});

describe("editing an environment", () => {
  let owner: Awaited<ReturnType<typeof newUser>>;
  let teamSlug: string;
  beforeAll(async () => {
    owner = await newUser("edit");
    teamSlug = owner.team.slug;
  });
  const row = async (id: string) => (await db().select().from(environments).where(eq(environments.id, id)))[0]!;

  it("rotates a kubeconfig; an empty kubeconfig keeps it; the slug and orchestrator stay; audited without values", async () => {
    const env = await environmentActions.create(owner.session, { teamSlug, name: "rotate", slug: `r-${rand()}`, orchestrator: "kubernetes", kubeconfig: kubeconfig() });
    if (!env.ok) throw new Error(JSON.stringify(env));
    const environmentId = env.data.environmentId;
    const base = { teamSlug, environmentId, name: "rotate", ...connection({}) };
    expect(await environmentActions.update(owner.session, base)).toMatchObject({ ok: true, data: { changed: [] } });
    expect(await environmentActions.update(owner.session, { ...base, name: "rotated" })).toMatchObject({ ok: true, data: { changed: ["name"] } });
    const before = await row(environmentId);
    const rotated = kubeconfig({ token: "a-new-token-for-the-same-cluster" });
    expect(await environmentActions.update(owner.session, { ...base, name: "rotated", kubeconfig: rotated })).toMatchObject({ ok: true, data: { changed: ["kubeconfig"] } });
    const after = await row(environmentId);
    expect(storedConnection(after).kubeconfig).toBe(rotated);
    expect(after).toMatchObject({ slug: before.slug, cluster: before.cluster, orchestrator: "kubernetes", name: "rotated" });
    expect(JSON.stringify(after)).not.toContain("a-new-token-for-the-same-cluster");
    const audit = await db().select().from(auditEvents).where(and(eq(auditEvents.teamId, owner.team.id), eq(auditEvents.action, "environment.updated")));
    expect(audit.map((a) => a.details)).toContainEqual({ environmentId, fields: ["kubeconfig"] });
    expect(JSON.stringify(audit)).not.toContain("a-new-token");
    // The rotated token is refused by the test server: the saved connection now says so.
    expect(await testEnvironment(owner.team, environmentId)).toMatchObject({ ok: false, message: "The cluster refused the kubeconfig's credentials" });
    expect(await environmentActions.update(owner.session, { ...base, orchestrator: "swarm", dockerHost: engine.dockerHost })).toMatchObject({ ok: false, fieldErrors: { orchestrator: [expect.stringContaining("cannot change")] } });
    expect(await environmentActions.update(owner.session, { ...base, slug: "other" })).toMatchObject({ ok: false, code: "invalid" });
  });

  it("a new Docker host needs its key typed again; the same host takes a new key and keeps the recorded host keys", async () => {
    const env = await environmentActions.create(owner.session, { teamSlug, name: "ssh", slug: `s-${rand()}`, orchestrator: "swarm", dockerHost: "ssh://deploy@node-1.example.test", sshPrivateKey: KEY });
    if (!env.ok) throw new Error(JSON.stringify(env));
    const environmentId = env.data.environmentId;
    await db().update(environments).set({ sshKnownHosts: "node-1.example.test ssh-ed25519 AAAA" }).where(eq(environments.id, environmentId));
    const base = { teamSlug, environmentId, name: "ssh", ...connection({ orchestrator: "swarm", dockerHost: "ssh://deploy@node-1.example.test" }) };
    expect(await environmentActions.update(owner.session, { ...base, sshPrivateKey: KEY_2 })).toMatchObject({ ok: true, data: { changed: ["sshPrivateKey"] } });
    expect(await row(environmentId)).toMatchObject({ sshKnownHosts: "node-1.example.test ssh-ed25519 AAAA" });
    expect(storedConnection(await row(environmentId)).sshPrivateKey).toBe(KEY_2);
    const moved = { ...base, dockerHost: "ssh://deploy@node-2.example.test" };
    const refused = await environmentActions.update(owner.session, moved);
    expect(refused).toMatchObject({ ok: false, fieldErrors: { sshPrivateKey: ["Enter the SSH private key again: a saved secret is only sent to the host it was saved for"] } });
    // Nor may a test send the saved key to the new host.
    expect(await environmentActions.testConnection(owner.session, { teamSlug, environmentId, ...connection({ orchestrator: "swarm", dockerHost: "ssh://deploy@node-2.example.test" }) })).toMatchObject({ ok: false, fieldErrors: { sshPrivateKey: [expect.stringContaining("again")] } });
    expect(await environmentActions.update(owner.session, { ...moved, sshPrivateKey: KEY })).toMatchObject({ ok: true, data: { changed: ["address", "sshPrivateKey"] } });
    expect(await row(environmentId)).toMatchObject({ cluster: "ssh://deploy@node-2.example.test", sshKnownHosts: null, connection: { dockerHost: "ssh://deploy@node-2.example.test" } });
    // ssh:// to tcp://: the TLS material is required, the old key is not kept.
    const tcp = await environmentActions.update(owner.session, { ...base, dockerHost: "tcp://node-2.example.test:2376" });
    expect(Object.keys((tcp as { fieldErrors: object }).fieldErrors).sort()).toEqual(["tlsCa", "tlsCert", "tlsKey"]);
  });

  it("moving to a cluster where another environment already has this namespace is refused on the kubeconfig", async () => {
    const slug = `m-${rand()}`;
    const other = await newUser("other-team");
    const elsewhere = `http://127.0.0.9:${await closedPort()}`;
    expect(await environmentActions.create(other.session, { teamSlug: other.team.slug, name: "theirs", slug, orchestrator: "kubernetes", kubeconfig: kubeconfig({ server: elsewhere }) })).toMatchObject({ ok: true });
    const mine = await environmentActions.create(owner.session, { teamSlug, name: `mine ${slug}`, slug, orchestrator: "kubernetes", kubeconfig: kubeconfig() });
    if (!mine.ok) throw new Error(JSON.stringify(mine));
    const r = await environmentActions.update(owner.session, { teamSlug, environmentId: mine.data.environmentId, name: `mine ${slug}`, ...connection({ kubeconfig: kubeconfig({ server: elsewhere }) }) });
    expect(r).toMatchObject({ ok: false, fieldErrors: { kubeconfig: [`Another environment already uses the namespace env-${slug} on that cluster: this one cannot move there`] } });
    expect((await loadEnvironment(owner.team.id, mine.data.environmentId)).cluster).toBe(kube.url);
  });

  it("the test of an edit uses the saved kubeconfig when the field is left empty", async () => {
    const env = await environmentActions.create(owner.session, { teamSlug, name: "merged", slug: `t-${rand()}`, orchestrator: "kubernetes", kubeconfig: kubeconfig() });
    if (!env.ok) throw new Error(JSON.stringify(env));
    const r = await environmentActions.testConnection(owner.session, { teamSlug, environmentId: env.data.environmentId, ...connection({}) });
    expect(r).toMatchObject({ ok: true, data: { ok: true, namespaces: expect.any(Array) } });
    expect(JSON.stringify(r)).not.toContain(kube.token);
  });
});
