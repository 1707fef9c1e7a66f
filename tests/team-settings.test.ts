import { beforeEach, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { db } from "@/db";
import { environments, invitations, registries, teams } from "@/db/schema";
import { verifyCredentials } from "@/lib/auth/accounts";
import { registryActions } from "@/lib/registries/actions";
import { exampleInput } from "@/lib/registries/examples";
import { teamActions } from "@/lib/teams/actions";
import { listTeamAudit, listTeamsOf, teamHoldings } from "@/lib/teams/service";
import { newId } from "@/lib/ids";
import { PASSWORD, newUser, roleTeam } from "./fixtures";

type Actor = Awaited<ReturnType<typeof newUser>>;

let w: Awaited<ReturnType<typeof roleTeam>>;
beforeEach(async () => {
  w = await roleTeam();
  expect(await teamActions.rename(w.owner.session, { teamSlug: w.teamSlug, name: "Platform" })).toMatchObject({ ok: true });
});

const nameOf = async () => (await db().select({ name: teams.name }).from(teams).where(eq(teams.id, w.teamId)))[0]?.name;

describe("access matrix: rename", () => {
  const call = (a: Actor | null, name: string) => teamActions.rename(a?.session ?? null, { teamSlug: w.teamSlug, name });

  it("anonymous, another team, a member and an admin are refused; the owner renames, the slug stays, and it is audited", async () => {
    expect(await call(null, "X")).toMatchObject({ ok: false, code: "unauthenticated" });
    expect(await call(w.outsider, "X")).toMatchObject({ ok: false, code: "not_found" });
    expect(await call(w.member, "X")).toMatchObject({ ok: false, code: "forbidden" });
    expect(await call(w.admin, "X")).toMatchObject({ ok: false, code: "forbidden", error: "Only a team owner can rename the team" });
    expect(await nameOf()).toBe("Platform");
    expect(await call(w.owner, "  Platform Crew ")).toMatchObject({ ok: true, data: { name: "Platform Crew" } });
    expect(await nameOf()).toBe("Platform Crew");
    expect((await listTeamsOf(w.owner.user.id)).find((t) => t.id === w.teamId)).toMatchObject({ slug: w.teamSlug, name: "Platform Crew" });
    expect((await listTeamAudit(w.teamId))[0]).toMatchObject({ action: "team.renamed", details: { from: "Platform", to: "Platform Crew" }, actorName: w.owner.user.name });
  });

  it("refuses an empty name on the field", async () => {
    expect(await call(w.owner, "   ")).toMatchObject({ ok: false, fieldErrors: { name: ["Enter a team name"] } });
  });

  it("two teams of one name stay apart by their slugs", async () => {
    const twin = await teamActions.create(w.owner.session, { name: "Platform" });
    expect(twin).toMatchObject({ ok: true });
    if (!twin.ok) return;
    const mine = (await listTeamsOf(w.owner.user.id)).filter((t) => t.name === "Platform");
    expect(mine.map((t) => t.slug).sort()).toEqual([twin.data.slug, w.teamSlug].sort());
    expect(twin.data.slug).not.toBe(w.teamSlug);
  });
});

describe("access matrix: delete", () => {
  const call = (a: Actor | null) => teamActions.delete(a?.session ?? null, { teamSlug: w.teamSlug });

  it("anonymous, another team, a member and an admin are refused and the team stays", async () => {
    expect(await call(null)).toMatchObject({ ok: false, code: "unauthenticated" });
    expect(await call(w.outsider)).toMatchObject({ ok: false, code: "not_found" });
    expect(await call(w.member)).toMatchObject({ ok: false, code: "forbidden" });
    expect(await call(w.admin)).toMatchObject({ ok: false, code: "forbidden", error: "Only a team owner can delete the team" });
    expect(await nameOf()).toBe("Platform");
  });

  it("the owner is refused while the team has environments, and told why", async () => {
    const id = newId("env");
    await db().insert(environments).values({ id, teamId: w.teamId, name: "prod", slug: `prod-${id.slice(-6)}` });
    expect(await teamHoldings(w.teamId)).toMatchObject({ environments: 1 });
    expect(await call(w.owner)).toMatchObject({
      ok: false,
      code: "conflict",
      error: "This team still has 1 environment. Delete it first: that removes their containers' workloads and pull secrets from your clusters.",
    });
    expect(await nameOf()).toBe("Platform");
  });

  it("the owner deletes it with its registries and pending invitations; members keep their accounts and other teams", async () => {
    expect(await registryActions.create(w.member.session, { teamSlug: w.teamSlug, ...exampleInput("GHCR", "goes too") })).toMatchObject({ ok: true });
    expect(await teamActions.addMember(w.owner.session, { teamSlug: w.teamSlug, email: "later@example.test", role: "member" })).toMatchObject({ ok: true, data: { added: false } });
    expect(await teamHoldings(w.teamId)).toEqual({ environments: 0, registries: 1, members: 3, pendingInvitations: 1 });
    expect(await call(w.owner)).toMatchObject({ ok: true, data: { slug: w.teamSlug } });
    expect(await db().select().from(teams).where(eq(teams.id, w.teamId))).toEqual([]);
    expect(await db().select().from(registries).where(eq(registries.teamId, w.teamId))).toEqual([]);
    expect(await db().select().from(invitations).where(eq(invitations.teamId, w.teamId))).toEqual([]);
    expect((await listTeamsOf(w.member.user.id)).map((t) => t.id)).toEqual([w.member.team.id]);
    expect(await teamActions.rename(w.owner.session, { teamSlug: w.teamSlug, name: "Gone" })).toMatchObject({ ok: false, code: "not_found" });
  });

  it("a personal team may go too: with no team left its owner still signs in (and lands on Create a team)", async () => {
    const solo = await newUser("solo");
    expect(await teamActions.delete(solo.session, { teamSlug: solo.team.slug })).toMatchObject({ ok: true });
    expect(await listTeamsOf(solo.user.id)).toEqual([]);
    expect(await verifyCredentials({ email: solo.user.email, password: PASSWORD }, "198.51.100.7")).toMatchObject({ id: solo.user.id });
  });
});
