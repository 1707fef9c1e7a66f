import "./support/allow-loopback";
import { beforeAll, describe, expect, it } from "vitest";
import { eq, sql } from "drizzle-orm";
import { parse, stringify } from "yaml";
import { db } from "@/db";
import { containers } from "@/db/schema";
import { environmentActions } from "@/lib/environments/actions";
import { containerActions } from "@/lib/containers/actions";
import { registryActions } from "@/lib/registries/actions";
import { exampleInput } from "@/lib/registries/examples";
import { teamActions } from "@/lib/teams/actions";
import type { Session } from "@/lib/actions/safe-action";
import { env } from "@/lib/env";
import { newUser } from "./fixtures";
import { kubeconfigYaml } from "./support/kubeconfig";

const KUBE_TOKEN = "kube-token-that-must-never-be-stored-in-clear";
const kubeconfig = (user: Record<string, unknown> = { token: KUBE_TOKEN }) => kubeconfigYaml({ server: "http://127.0.0.1:1" }, user);

const slug = () => `t-${Math.random().toString(36).slice(2, 10)}`;

async function world() {
  const owner = await newUser("owner");
  const member = await newUser("member");
  const outsider = await newUser("outsider");
  const teamSlug = owner.team.slug;
  expect(await teamActions.addMember(owner.session, { teamSlug, email: member.user.email, role: "member" })).toMatchObject({ ok: true });
  return { owner, member, outsider, teamSlug };
}

let w: Awaited<ReturnType<typeof world>>;
let environmentId: string;
let ghcrId: string;
beforeAll(async () => {
  w = await world();
  const env = await environmentActions.create(w.owner.session, { teamSlug: w.teamSlug, name: "production", slug: slug(), orchestrator: "kubernetes", kubeconfig: kubeconfig() });
  if (!env.ok) throw new Error(JSON.stringify(env));
  environmentId = env.data.environmentId;
  const reg = await registryActions.create(w.member.session, { teamSlug: w.teamSlug, ...exampleInput("GHCR", "github") });
  if (!reg.ok) throw new Error(JSON.stringify(reg));
  ghcrId = reg.data.registryId;
});

describe("environments", () => {
  it("only owners and admins add them; others are refused or see no team", async () => {
    const input = { name: "staging", slug: slug(), orchestrator: "kubernetes", kubeconfig: kubeconfig() };
    expect(await environmentActions.create(null, { teamSlug: w.teamSlug, ...input })).toMatchObject({ ok: false, code: "unauthenticated" });
    expect(await environmentActions.create(w.outsider.session, { teamSlug: w.teamSlug, ...input })).toMatchObject({ ok: false, code: "not_found" });
    expect(await environmentActions.create(w.member.session, { teamSlug: w.teamSlug, ...input })).toMatchObject({ ok: false, code: "forbidden" });
    expect(await environmentActions.create(w.owner.session, { teamSlug: w.teamSlug, ...input })).toMatchObject({ ok: true });
  });

  it("refuses a kubeconfig that would run a command, on the kubeconfig field", async () => {
    const r = await environmentActions.create(w.owner.session, {
      teamSlug: w.teamSlug,
      name: "exec",
      slug: slug(),
      orchestrator: "kubernetes",
      kubeconfig: kubeconfig({ exec: { command: "sh", args: ["-c", "id"] } }),
    });
    expect(r).toMatchObject({ ok: false, code: "invalid", fieldErrors: { kubeconfig: [expect.stringContaining("would run a command on this server")] } });
  });

  it("keeps slugs unique in the team and namespaces unique per cluster, without telling one team about another's elsewhere", async () => {
    const taken = slug();
    const other = await newUser("other");
    const on = (server: string) => stringify({ ...parse(kubeconfig()), clusters: [{ name: "c", cluster: { server } }] });
    expect(await environmentActions.create(other.session, { teamSlug: other.team.slug, name: "prod", slug: taken, orchestrator: "kubernetes", kubeconfig: kubeconfig() })).toMatchObject({ ok: true });
    // Another team on the same API server would write the same namespace.
    const r = await environmentActions.create(w.owner.session, { teamSlug: w.teamSlug, name: "prod2", slug: taken, orchestrator: "kubernetes", kubeconfig: kubeconfig() });
    expect(r).toMatchObject({ ok: false, fieldErrors: { slug: [`The namespace env-${taken} is already used on this cluster by another environment; choose another slug`] } });
    // On another cluster, or on a Docker host, the same slug is free.
    expect(await environmentActions.create(w.owner.session, { teamSlug: w.teamSlug, name: "prod3", slug: taken, orchestrator: "kubernetes", kubeconfig: on("http://127.0.0.2:1") })).toMatchObject({ ok: true });
    const again = await environmentActions.create(w.owner.session, { teamSlug: w.teamSlug, name: "prod4", slug: taken, orchestrator: "kubernetes", kubeconfig: on("http://127.0.0.3:1") });
    expect(again).toMatchObject({ ok: false, fieldErrors: { slug: [`This team already has an environment with the slug ${taken}`] } });
    const long = await environmentActions.create(w.owner.session, { teamSlug: w.teamSlug, name: "long", slug: "a".repeat(60), orchestrator: "kubernetes", kubeconfig: kubeconfig() });
    expect(long).toMatchObject({ ok: false, fieldErrors: { slug: [expect.stringContaining("63")] } });
  });

  it("checks Docker hosts and their key material per field", async () => {
    const base = { teamSlug: w.teamSlug, name: "swarm", slug: slug(), orchestrator: "swarm" };
    expect(await environmentActions.create(w.owner.session, { ...base, dockerHost: "http://node:2375" })).toMatchObject({ fieldErrors: { dockerHost: [expect.stringContaining("ssh://")] } });
    expect(await environmentActions.create(w.owner.session, { ...base, dockerHost: "ssh://deploy@node-1" })).toMatchObject({ fieldErrors: { sshPrivateKey: [expect.any(String)] } });
    const tcp = await environmentActions.create(w.owner.session, { ...base, dockerHost: "tcp://node-1:2376" });
    expect(Object.keys((tcp as { fieldErrors: object }).fieldErrors).sort()).toEqual(["tlsCa", "tlsCert", "tlsKey"]);
  });

  it("unix:// sockets and the in-cluster account need the operator's consent", async () => {
    env().allowLocalOrchestrators = false;
    try {
      const unix = await environmentActions.create(w.owner.session, { teamSlug: w.teamSlug, name: "local", slug: slug(), orchestrator: "compose", dockerHost: "unix:///var/run/docker.sock" });
      expect(unix).toMatchObject({ ok: false, fieldErrors: { dockerHost: [expect.stringContaining("ALLOW_LOCAL_ORCHESTRATORS=true")] } });
      const inCluster = await environmentActions.create(w.owner.session, { teamSlug: w.teamSlug, name: "incluster", slug: slug(), orchestrator: "kubernetes", kubeMode: "in-cluster" });
      expect(inCluster).toMatchObject({ ok: false, fieldErrors: { kubeMode: [expect.stringContaining("in-cluster service account")] } });
    } finally {
      env().allowLocalOrchestrators = true;
    }
  });

  it("stores the kubeconfig encrypted: its token is nowhere in the table", async () => {
    const dump = JSON.stringify(await db().execute(sql`select * from environments`));
    expect(dump).toContain("production");
    expect(dump).not.toContain(KUBE_TOKEN);
    const list = await environmentActions.list(w.member.session, { teamSlug: w.teamSlug });
    expect(JSON.stringify(list)).not.toContain(KUBE_TOKEN);
  });
});

describe("containers", () => {
  const base = () => ({ teamSlug: w.teamSlug, environmentId, replicas: 1, port: null });

  it("refuses, on the image field, an image not on the chosen registry's server", async () => {
    const r = await containerActions.create(w.member.session, { ...base(), name: "api", registryId: ghcrId, imageName: "docker.io/acme/api", imageTag: "v1" });
    expect(r).toMatchObject({ ok: false, fieldErrors: { imageName: [expect.stringContaining("This image is on docker.io, but the registry \"github\" serves ghcr.io")] } });
  });

  it("a path without a host means the chosen registry's host, and is saved with it; ECR's account host must be typed", async () => {
    const add = async (registry: Parameters<typeof exampleInput>[0], credentials?: Record<string, string>) => {
      const r = await registryActions.create(w.member.session, { teamSlug: w.teamSlug, ...exampleInput(registry, `hostless ${registry} ${slug()}`), ...(credentials ? { credentials } : {}) });
      if (!r.ok) throw new Error(JSON.stringify(r));
      return r.data.registryId;
    };
    const custom = await add("Custom", { url: "https://127.0.0.1:5101", username: "holdout", password: "holdout-password-0123" });
    const created = await containerActions.create(w.member.session, { ...base(), name: "holdout", registryId: custom, imageName: "holdout/api", imageTag: "1.0" });
    if (!created.ok) throw new Error(JSON.stringify(created));
    const [row] = await db().select().from(containers).where(eq(containers.id, created.data.containerId));
    expect(row).toMatchObject({ imageName: "127.0.0.1:5101/holdout/api", imageTag: "1.0" });
    const preview = await containerActions.preview(w.member.session, { teamSlug: w.teamSlug, containerId: created.data.containerId });
    expect(JSON.stringify(preview)).toContain("image: 127.0.0.1:5101/holdout/api:1.0");
    const updated = await containerActions.update(w.member.session, { teamSlug: w.teamSlug, containerId: created.data.containerId, registryId: ghcrId, imageName: "acme/api", imageTag: "2.0", replicas: 1, port: null });
    expect(updated).toMatchObject({ ok: true });
    expect((await db().select().from(containers).where(eq(containers.id, created.data.containerId)))[0]).toMatchObject({ imageName: "ghcr.io/acme/api" });
    const ecr = await add("ECR");
    const r = await containerActions.create(w.member.session, { ...base(), name: "on-ecr", registryId: ecr, imageName: "team/app", imageTag: "1" });
    expect(r).toMatchObject({ ok: false, fieldErrors: { imageName: [expect.stringContaining("prefix the image with <account>.dkr.ecr.eu-central-1.amazonaws.com/")] } });
    // Without a registry the Docker Hub default stands, as the Docker CLI reads it.
    const pub = await containerActions.create(w.member.session, { ...base(), name: "public-web", imageName: "nginx", imageTag: "1.27" });
    if (!pub.ok) throw new Error(JSON.stringify(pub));
    expect((await db().select().from(containers).where(eq(containers.id, pub.data.containerId)))[0]).toMatchObject({ imageName: "nginx" });
  });

  it("refuses malformed names, tags and digests on their fields", async () => {
    const r1 = await containerActions.create(w.member.session, { ...base(), name: "API_1", imageName: "postgres", imageTag: "17" });
    expect(r1).toMatchObject({ ok: false, fieldErrors: { name: [expect.any(String)] } });
    const r2 = await containerActions.create(w.member.session, { ...base(), name: "db", imageName: "postgres", imageTag: "sha256:123" });
    expect(r2).toMatchObject({ ok: false, fieldErrors: { imageTag: ["A digest must be sha256: followed by 64 lower-case hex characters"] } });
  });

  it("refuses another team's registry as if it did not exist", async () => {
    const other = await newUser("other");
    const reg = await registryActions.create(other.session, { teamSlug: other.team.slug, ...exampleInput("GHCR", "theirs") });
    if (!reg.ok) throw new Error("setup");
    const r = await containerActions.create(w.member.session, { ...base(), name: "stolen", registryId: reg.data.registryId, imageName: "ghcr.io/acme/api", imageTag: "v1" });
    expect(r).toMatchObject({ ok: false, fieldErrors: { registryId: [expect.stringContaining("does not exist")] } });
  });

  it("access matrix: anonymous, other team, member, creator", async () => {
    const created = await containerActions.create(w.member.session, { ...base(), name: "web", registryId: ghcrId, imageName: "ghcr.io/acme/web", imageTag: "v1" });
    if (!created.ok) throw new Error(JSON.stringify(created));
    const ref = { teamSlug: w.teamSlug, containerId: created.data.containerId };
    const calls: [string, (s: Session) => Promise<unknown>][] = [
      ["preview", (s) => containerActions.preview(s, ref)],
      ["deploy", (s) => containerActions.deploy(s, ref)],
      ["scale", (s) => containerActions.scale(s, { ...ref, replicas: 2 })],
      ["restart", (s) => containerActions.restart(s, ref)],
      ["update", (s) => containerActions.update(s, { ...ref, registryId: ghcrId, imageName: "ghcr.io/acme/web", imageTag: "v2", replicas: 1, port: null })],
      ["delete", (s) => containerActions.delete(s, ref)],
    ];
    for (const [name, call] of calls) {
      expect(await call(null), name).toMatchObject({ ok: false, code: "unauthenticated" });
      expect(await call(w.outsider.session), name).toMatchObject({ ok: false, code: "not_found" });
    }
    // A member who did not add it may not delete it; its creator may.
    const second = await newUser("member2");
    await teamActions.addMember(w.owner.session, { teamSlug: w.teamSlug, email: second.user.email, role: "member" });
    expect(await containerActions.delete(second.session, ref)).toMatchObject({ ok: false, code: "forbidden" });
    expect(await containerActions.preview(second.session, ref)).toMatchObject({ ok: true });
    expect(await containerActions.delete(w.member.session, ref)).toMatchObject({ ok: true });
  });

  it("a registry used by a container cannot be deleted, and the message names the container", async () => {
    const created = await containerActions.create(w.member.session, { ...base(), name: "worker", registryId: ghcrId, imageName: "ghcr.io/acme/worker", imageTag: "v1" });
    expect(created).toMatchObject({ ok: true });
    const r = await registryActions.delete(w.member.session, { teamSlug: w.teamSlug, registryId: ghcrId });
    expect(r).toMatchObject({ ok: false, code: "conflict", error: expect.stringContaining("production/worker") });
  });
});
