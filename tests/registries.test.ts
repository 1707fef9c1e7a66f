import { beforeAll, describe, expect, it } from "vitest";
import { and, eq, sql } from "drizzle-orm";
import { db } from "@/db";
import { auditEvents, containers, environments, registries } from "@/db/schema";
import { registryActions } from "@/lib/registries/actions";
import { REGISTRY_TYPES } from "@/lib/registries/catalog";
import { EXAMPLE_CREDENTIALS, exampleInput } from "@/lib/registries/examples";
import { decryptCredentials, listRegistrySummaries } from "@/lib/registries/service";
import { teamActions } from "@/lib/teams/actions";
import { newId } from "@/lib/ids";
import { newUser, registryTeam } from "./fixtures";
import type { Session } from "@/lib/actions/safe-action";

type Actor = Awaited<ReturnType<typeof newUser>>;

let w: Awaited<ReturnType<typeof registryTeam>>;
beforeAll(async () => {
  w = await registryTeam();
});

async function createAs(actor: Actor, type: (typeof REGISTRY_TYPES)[number]["type"] = "Custom", name = `reg ${Math.random().toString(36).slice(2, 8)}`) {
  const r = await registryActions.create(actor.session, { teamSlug: w.teamSlug, ...exampleInput(type, name) });
  if (!r.ok) throw new Error(JSON.stringify(r));
  return r.data.registryId;
}

async function containerUsing(registryId: string, name = "web") {
  const envId = newId("env");
  await db().insert(environments).values({ id: envId, teamId: w.teamId, name: `prod-${envId.slice(-4)}`, slug: `prod-${envId.slice(-4)}` });
  await db().insert(containers).values({ id: newId("ctr"), teamId: w.teamId, environmentId: envId, name, registryId, imageName: "registry.example.com:5000/app", imageTag: "1.0" });
  return envId;
}

describe("secrets at rest", () => {
  it("no credential value of any type appears in the registries table in clear", async () => {
    for (const t of REGISTRY_TYPES) await createAs(w.creator, t.type, `at-rest ${t.type}`);
    const raw = await db().execute(sql`select * from registries where team_id = ${w.teamId}`);
    const dump = JSON.stringify(raw);
    for (const t of REGISTRY_TYPES) {
      for (const [field, value] of Object.entries(EXAMPLE_CREDENTIALS[t.type])) {
        const def = t.fields[field]!;
        if (def.kind === "secret" || def.kind === "json") {
          expect(dump, `${t.type}.${field}`).not.toContain(value);
          // Nor a recognisable piece of it (e.g. the private key inside the JSON).
          expect(dump).not.toContain(value.slice(4, 24));
        }
      }
    }
    expect(dump).not.toContain("BEGIN PRIVATE KEY");
    // ...and yet every registry decrypts back to exactly what was saved.
    const rows = await db().select().from(registries).where(eq(registries.teamId, w.teamId));
    for (const row of rows.filter((r) => r.name.startsWith("at-rest"))) {
      expect(decryptCredentials(row)).toEqual(exampleInput(row.type as never).credentials);
    }
  });
});

describe("access matrix: registry actions", () => {
  const anon = { session: null };

  it("create: anonymous refused, outsider not found, any member allowed", async () => {
    const input = { teamSlug: "", ...exampleInput("GHCR", "matrix ghcr") };
    expect(await registryActions.create(anon.session, { ...input, teamSlug: w.teamSlug })).toMatchObject({ ok: false, code: "unauthenticated" });
    expect(await registryActions.create(w.outsider.session, { ...input, teamSlug: w.teamSlug })).toMatchObject({ ok: false, code: "not_found" });
    expect(await registryActions.create(w.member.session, { ...input, teamSlug: w.teamSlug })).toMatchObject({ ok: true });
  });

  it("list: anonymous refused, outsider not found, members see non-secret fields only", async () => {
    const id = await createAs(w.creator, "Custom", "matrix list");
    expect(await registryActions.list(anon.session, { teamSlug: w.teamSlug })).toMatchObject({ ok: false, code: "unauthenticated" });
    expect(await registryActions.list(w.outsider.session, { teamSlug: w.teamSlug })).toMatchObject({ ok: false, code: "not_found" });
    const r = await registryActions.list(w.member.session, { teamSlug: w.teamSlug, search: "matrix list" });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const item = r.data.items.find((i) => i.id === id)!;
    expect(item).toMatchObject({ serverHost: "registry.example.com:5000", secretFields: ["password"], visibleFields: { url: EXAMPLE_CREDENTIALS.Custom.url, username: "deployer" } });
    expect(JSON.stringify(r)).not.toContain(EXAMPLE_CREDENTIALS.Custom.password);
  });

  it("update: anonymous, outsider, a member who is not the creator refused; creator and admin allowed", async () => {
    const id = await createAs(w.creator);
    const call = (a: { session: Session }, password: string) =>
      registryActions.update(a.session, { teamSlug: w.teamSlug, registryId: id, credentials: { ...EXAMPLE_CREDENTIALS.Custom, password } });
    expect(await call(anon, "p1-rotated")).toMatchObject({ ok: false, code: "unauthenticated" });
    expect(await call(w.outsider, "p1-rotated")).toMatchObject({ ok: false, code: "not_found" });
    expect(await call(w.member, "p1-rotated")).toMatchObject({ ok: false, code: "forbidden" });
    expect(await call(w.creator, "p2-rotated")).toMatchObject({ ok: true, data: { credentialVersion: 2 } });
    expect(await call(w.admin, "p3-rotated")).toMatchObject({ ok: true, data: { credentialVersion: 3 } });
    const [row] = await db().select().from(registries).where(eq(registries.id, id));
    expect(decryptCredentials(row!).password).toBe("p3-rotated");
  });

  it("delete: anonymous, outsider, member, admin and even the owner refused while the creator is in the team; the creator may", async () => {
    const id = await createAs(w.creator);
    const call = (a: { session: Session }) => registryActions.delete(a.session, { teamSlug: w.teamSlug, registryId: id });
    expect(await call(anon)).toMatchObject({ ok: false, code: "unauthenticated" });
    expect(await call(w.outsider)).toMatchObject({ ok: false, code: "not_found" });
    expect(await call(w.member)).toMatchObject({ ok: false, code: "forbidden", error: `Only ${w.creator.user.name}, who added this registry, can delete it. Ask them; if they leave the team, a team owner can.` });
    expect(await call(w.admin)).toMatchObject({ ok: false, code: "forbidden" });
    expect(await call(w.owner)).toMatchObject({ ok: false, code: "forbidden" });
    expect(await call(w.creator)).toMatchObject({ ok: true });
    expect(await db().select().from(registries).where(eq(registries.id, id))).toEqual([]);
  });

  it("test: anonymous refused, outsider not found, any member may test stored credentials", async () => {
    const id = await createAs(w.creator);
    const call = (a: { session: Session }) => registryActions.test(a.session, { teamSlug: w.teamSlug, registryId: id, live: false });
    expect(await call(anon)).toMatchObject({ ok: false, code: "unauthenticated" });
    expect(await call(w.outsider)).toMatchObject({ ok: false, code: "not_found" });
    expect(await call(w.member)).toMatchObject({ ok: true, data: { ok: true } });
    const [row] = await db().select().from(registries).where(eq(registries.id, id));
    expect(row?.lastTest).toMatchObject({ ok: true });
    expect(row?.lastTestAt).toBeInstanceOf(Date);
  });

  it("a registry id of another team is not found, even for that team's owner acting through this team", async () => {
    const foreign = await registryActions.create(w.outsider.session, { teamSlug: w.outsider.team.slug, ...exampleInput("Public", "foreign") });
    if (!foreign.ok) throw new Error("setup");
    const r = await registryActions.test(w.owner.session, { teamSlug: w.teamSlug, registryId: foreign.data.registryId });
    expect(r).toMatchObject({ ok: false, code: "not_found", error: "Registry not found" });
    const d = await registryActions.delete(w.owner.session, { teamSlug: w.teamSlug, registryId: foreign.data.registryId });
    expect(d).toMatchObject({ ok: false, code: "not_found" });
  });
});

describe("ownership when the creator leaves", () => {
  it("a team owner may delete a registry whose creator has left, audited on their behalf; an admin or member still may not", async () => {
    const leaver = await newUser("leaver");
    await teamActions.addMember(w.owner.session, { teamSlug: w.teamSlug, email: leaver.user.email, role: "member" });
    const id = await createAs(leaver);
    expect(await teamActions.removeMember(leaver.session, { teamSlug: w.teamSlug, userId: leaver.user.id })).toMatchObject({ ok: true });
    const refusal = `${leaver.user.name} is no longer in the team, so only a team owner can delete it. Ask an owner.`;
    expect(await registryActions.delete(w.admin.session, { teamSlug: w.teamSlug, registryId: id })).toMatchObject({ ok: false, code: "forbidden", error: refusal });
    expect(await registryActions.delete(w.member.session, { teamSlug: w.teamSlug, registryId: id })).toMatchObject({ ok: false, code: "forbidden", error: refusal });
    // The former creator cannot reach the team any more.
    expect(await registryActions.delete(leaver.session, { teamSlug: w.teamSlug, registryId: id })).toMatchObject({ ok: false, code: "not_found" });
    expect(await registryActions.delete(w.owner.session, { teamSlug: w.teamSlug, registryId: id })).toMatchObject({ ok: true });
    const [deleted] = await db().select().from(auditEvents).where(and(eq(auditEvents.registryId, id), eq(auditEvents.action, "registry.deleted")));
    expect(deleted).toMatchObject({ actorId: w.owner.user.id, details: { onBehalfOf: leaver.user.name } });
  });

  it("a creator whose account is gone counts as having left", async () => {
    const id = await createAs(w.creator);
    // What deleting an account does to its registries (the foreign key sets null).
    await db().update(registries).set({ createdBy: null }).where(eq(registries.id, id));
    expect(await registryActions.delete(w.admin.session, { teamSlug: w.teamSlug, registryId: id })).toMatchObject({
      ok: false,
      error: "The person who added this registry is no longer in the team, so only a team owner can delete it. Ask an owner.",
    });
    expect(await registryActions.delete(w.owner.session, { teamSlug: w.teamSlug, registryId: id })).toMatchObject({ ok: true });
    const [deleted] = await db().select().from(auditEvents).where(and(eq(auditEvents.registryId, id), eq(auditEvents.action, "registry.deleted")));
    expect(deleted?.details).toMatchObject({ onBehalfOf: "a deleted account" });
  });

  it("the creator's own delete is audited without anyone on whose behalf", async () => {
    const id = await createAs(w.creator);
    expect(await registryActions.delete(w.creator.session, { teamSlug: w.teamSlug, registryId: id })).toMatchObject({ ok: true });
    const [deleted] = await db().select().from(auditEvents).where(and(eq(auditEvents.registryId, id), eq(auditEvents.action, "registry.deleted")));
    expect(deleted?.details).not.toHaveProperty("onBehalfOf");
  });
});

describe("delete while referenced", () => {
  it("is refused, naming the containers, and the registry stays", async () => {
    const id = await createAs(w.creator);
    await containerUsing(id, "api");
    const r = await registryActions.delete(w.creator.session, { teamSlug: w.teamSlug, registryId: id });
    expect(r).toMatchObject({ ok: false, code: "conflict" });
    if (r.ok) return;
    expect(r.error).toMatch(/used by 1 container: prod-[a-z0-9]{4}\/api/);
    expect(await db().select().from(registries).where(eq(registries.id, id))).toHaveLength(1);
  });

  it("the foreign key refuses a delete that races past the check", async () => {
    const id = await createAs(w.creator);
    await containerUsing(id, "racer");
    // What a delete that checked before the container arrived would run: the database refuses it.
    await expect(db().delete(registries).where(eq(registries.id, id))).rejects.toMatchObject({ cause: { code: "23503" } });
  });
});

describe("update and audit", () => {
  it("an empty secret keeps the stored value; the audit names fields, never values", async () => {
    const id = await createAs(w.creator, "ACR", "audit acr");
    const r = await registryActions.update(w.creator.session, {
      teamSlug: w.teamSlug,
      registryId: id,
      name: "audit acr renamed",
      credentials: { ...EXAMPLE_CREDENTIALS.ACR, username: "serviceprincipal", password: "" },
    });
    expect(r).toMatchObject({ ok: true, data: { changed: ["name", "username"], credentialVersion: 2 } });
    const [row] = await db().select().from(registries).where(eq(registries.id, id));
    expect(decryptCredentials(row!)).toMatchObject({ password: EXAMPLE_CREDENTIALS.ACR.password, username: "serviceprincipal" });

    await registryActions.update(w.creator.session, { teamSlug: w.teamSlug, registryId: id, credentials: { ...EXAMPLE_CREDENTIALS.ACR, password: "brand-new-secret" } });
    const events = await db().select().from(auditEvents).where(eq(auditEvents.registryId, id)).orderBy(auditEvents.id);
    expect(events.map((e) => e.action)).toEqual(["registry.created", "registry.updated", "registry.updated", "registry.rotated"]);
    expect(events[3]?.details).toEqual({ fields: ["password"], credentialVersion: 3 });
    const dump = JSON.stringify(events);
    expect(dump).not.toContain("brand-new-secret");
    expect(dump).not.toContain(EXAMPLE_CREDENTIALS.ACR.password);
  });

  it("20 parallel rotations each get their own version, and each audit entry names it", async () => {
    const id = await createAs(w.creator, "Custom", "parallel rotations");
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        registryActions.update(w.creator.session, { teamSlug: w.teamSlug, registryId: id, credentials: { ...EXAMPLE_CREDENTIALS.Custom, password: `rotation-${i}` } }),
      ),
    );
    const versions = results.map((r) => {
      if (!r.ok) throw new Error(JSON.stringify(r));
      return r.data.credentialVersion;
    });
    const ascending = (list: unknown[]) => list.map(Number).sort((a, b) => a - b);
    expect(ascending(versions)).toEqual(Array.from({ length: 20 }, (_, i) => i + 2));
    const [row] = await db().select().from(registries).where(eq(registries.id, id));
    expect(row?.credentialVersion).toBe(21);
    for (const action of ["registry.updated", "registry.rotated"]) {
      const events = await db().select().from(auditEvents).where(and(eq(auditEvents.registryId, id), eq(auditEvents.action, action)));
      expect(ascending(events.map((e) => e.details.credentialVersion)), action).toEqual(ascending(versions));
    }
  });

  it("a failed update leaves the old credentials working and says which field is wrong", async () => {
    const id = await createAs(w.creator, "GHCR", "keeps old");
    const r = await registryActions.update(w.creator.session, { teamSlug: w.teamSlug, registryId: id, credentials: { username: "octocat", token: "not-a-token" } });
    expect(r).toMatchObject({ ok: false, code: "invalid" });
    if (r.ok) return;
    expect(r.fieldErrors?.["credentials.token"]?.[0]).toMatch(/A GitHub token starts with/);
    expect(JSON.stringify(r)).not.toContain("not-a-token");
    const [row] = await db().select().from(registries).where(eq(registries.id, id));
    expect(decryptCredentials(row!)).toEqual(EXAMPLE_CREDENTIALS.GHCR);
    expect(row?.credentialVersion).toBe(1);
  });

  it("a duplicate name is a field error on name", async () => {
    await createAs(w.creator, "Public", "dup name");
    const r = await registryActions.create(w.member.session, { teamSlug: w.teamSlug, ...exampleInput("Public", "dup name") });
    expect(r).toMatchObject({ ok: false, fieldErrors: { name: ["A registry named “dup name” already exists in this team"] } });
  });

  it("test of unsaved form values reports per field and records nothing", async () => {
    const r = await registryActions.test(w.member.session, { teamSlug: w.teamSlug, type: "ECR", credentials: { ...EXAMPLE_CREDENTIALS.ECR, region: "moon-1" } });
    expect(r).toMatchObject({ ok: true, data: { ok: false, fieldErrors: { "credentials.region": [expect.stringMatching(/AWS region code/)] } } });
  });
});

describe("the list's total", () => {
  it("is the team's kept count through creates, a many-row insert and deletes, and counts no other team's registries", async () => {
    const t = await registryTeam();
    const counted = async (teamId: string) => (await db().select({ n: sql<number>`count(*)::int` }).from(registries).where(eq(registries.teamId, teamId)))[0]!.n;
    const totalOf = async (a: { session: Session }, teamSlug: string) => {
      const r = await registryActions.list(a.session, { teamSlug });
      if (!r.ok) throw new Error(JSON.stringify(r));
      return r.data.total;
    };
    const created = await registryActions.create(t.creator.session, { teamSlug: t.teamSlug, ...exampleInput("Custom", "counted one") });
    if (!created.ok) throw new Error(JSON.stringify(created));
    // One statement, many rows (an import, or the benchmarks' seeding): the trigger counts them all at once.
    const many = Array.from({ length: 25 }, (_, i) => ({ id: newId("reg"), teamId: t.teamId, name: `bulk ${i}`, type: "Public", visibleFields: {}, createdBy: t.owner.user.id }));
    await db().insert(registries).values(many);
    await db().insert(registries).values({ id: newId("reg"), teamId: t.outsider.team.id, name: "elsewhere", type: "Public", visibleFields: {}, createdBy: t.outsider.user.id });
    expect(await totalOf(t.member, t.teamSlug)).toBe(26);
    expect(await counted(t.teamId)).toBe(26);
    expect(await totalOf(t.outsider, t.outsider.team.slug)).toBe(1);

    expect(await registryActions.delete(t.creator.session, { teamSlug: t.teamSlug, registryId: created.data.registryId })).toMatchObject({ ok: true });
    await db().delete(registries).where(and(eq(registries.teamId, t.teamId), sql`${registries.name} like 'bulk 1%'`));
    expect(await totalOf(t.member, t.teamSlug)).toBe(await counted(t.teamId));
    expect(await counted(t.teamId)).toBe(14);
    // A page far past the end, as a URL may ask for, is an empty page.
    expect(await listRegistrySummaries(t.teamId, { page: 1e20 })).toMatchObject({ items: [], total: 14, page: 100_000 });
    // A search still counts what matches.
    const search = await registryActions.list(t.member.session, { teamSlug: t.teamSlug, search: "bulk 2" });
    expect(search).toMatchObject({ ok: true, data: { total: 6 } });
  });
});
