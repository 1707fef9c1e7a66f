import "./support/allow-loopback";
import { beforeAll, describe, expect, it } from "vitest";
import { and, eq } from "drizzle-orm";
import { db } from "@/db";
import { auditEvents, registries } from "@/db/schema";
import { registryActions } from "@/lib/registries/actions";
import { newUser, registryTeam } from "./fixtures";

type Actor = Awaited<ReturnType<typeof newUser>>;

let w: Awaited<ReturnType<typeof registryTeam>>;
beforeAll(async () => {
  w = await registryTeam();
});

describe("a Test Connection in the Add form becomes the new registry's last test", () => {
  // Nothing listens on port 1: the live check answers at once that the connection was refused.
  const credentials = { url: "https://127.0.0.1:1", username: "deployer", password: "kept-test-password-0123" };
  const testTyped = (a: Actor, creds = credentials) => registryActions.test(a.session, { teamSlug: w.teamSlug, type: "Custom", credentials: creds });

  it("is kept when exactly the tested credentials are saved, with its time, and audited", async () => {
    const t = await testTyped(w.member);
    if (!t.ok) throw new Error(JSON.stringify(t));
    expect(t.data).toMatchObject({ ok: false, live: { status: "unreachable", detail: "Network error: ECONNREFUSED" }, testToken: expect.any(String) });
    expect(t.data.testToken).not.toContain(credentials.password);
    const r = await registryActions.create(w.member.session, { teamSlug: w.teamSlug, type: "Custom", name: "tested before saving", credentials, testToken: t.data.testToken });
    if (!r.ok) throw new Error(JSON.stringify(r));
    const [row] = await db().select().from(registries).where(eq(registries.id, r.data.registryId));
    expect(row?.lastTest).toMatchObject({ ok: false, live: { status: "unreachable", message: "Couldn't reach 127.0.0.1:1 from this server — the connection was refused: nothing listens there" } });
    expect(row?.lastTestAt).toBeInstanceOf(Date);
    const audit = await db().select().from(auditEvents).where(and(eq(auditEvents.registryId, r.data.registryId), eq(auditEvents.action, "registry.tested")));
    expect(audit).toHaveLength(1);
    expect(audit[0]!.details).toMatchObject({ beforeSaving: true, live: "unreachable" });
  });

  it("is ignored (never tested) for other credentials, for another member's save, or in another team", async () => {
    const t = await testTyped(w.member);
    if (!t.ok) throw new Error(JSON.stringify(t));
    const save = async (a: Actor, teamSlug: string, creds: typeof credentials, name: string) => {
      const r = await registryActions.create(a.session, { teamSlug, type: "Custom", name, credentials: creds, testToken: t.data.testToken });
      if (!r.ok) throw new Error(JSON.stringify(r));
      const [row] = await db().select().from(registries).where(eq(registries.id, r.data.registryId));
      return row!;
    };
    expect((await save(w.member, w.teamSlug, { ...credentials, password: "another-password-0123" }, "changed after test")).lastTest).toBeNull();
    expect((await save(w.creator, w.teamSlug, credentials, "someone else's test")).lastTestAt).toBeNull();
    expect((await save(w.member, w.member.team.slug, credentials, "other team")).lastTest).toBeNull();
  });

  it("a token that is not one is ignored; one too long is a field error", async () => {
    const r = await registryActions.create(w.member.session, { teamSlug: w.teamSlug, type: "Custom", name: "forged test", credentials, testToken: "eyJvayI6dHJ1ZX0.AAAA" });
    if (!r.ok) throw new Error(JSON.stringify(r));
    expect((await db().select().from(registries).where(eq(registries.id, r.data.registryId)))[0]?.lastTest).toBeNull();
    expect(await registryActions.create(w.member.session, { teamSlug: w.teamSlug, type: "Custom", name: "long", credentials, testToken: "x".repeat(20_000) })).toMatchObject({ ok: false, fieldErrors: { testToken: ["Not a test result"] } });
  });
});
