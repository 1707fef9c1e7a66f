import { beforeEach, describe, expect, it } from "vitest";
import { and, eq } from "drizzle-orm";
import { db } from "@/db";
import { memberships } from "@/db/schema";
import { teamActions } from "@/lib/teams/actions";
import { listMembers } from "@/lib/teams/service";
import { newUser, roleTeam } from "./fixtures";

type Actor = Awaited<ReturnType<typeof newUser>>;

let w: Awaited<ReturnType<typeof roleTeam>>;
beforeEach(async () => {
  w = await roleTeam();
});

async function roleOf(teamId: string, userId: string) {
  const [row] = await db()
    .select({ role: memberships.role })
    .from(memberships)
    .where(and(eq(memberships.teamId, teamId), eq(memberships.userId, userId)));
  return row?.role;
}

describe("access matrix: team actions", () => {
  // Each case: who calls, and what they must get. The right user's case is checked on the data too.
  const cases: Array<{
    action: string;
    call: (actor: Actor | null) => Promise<{ ok: boolean }>;
    forbiddenFor: "member";
    allowedFor: "admin" | "owner";
    after?: () => Promise<void>;
  }> = [
    {
      action: "addMember",
      call: async (actor) => {
        const fresh = await newUser("invitee");
        return teamActions.addMember(actor?.session ?? null, { teamSlug: w.teamSlug, email: fresh.user.email, role: "member" });
      },
      forbiddenFor: "member",
      allowedFor: "admin",
    },
    {
      action: "changeRole",
      call: (actor) => teamActions.changeRole(actor?.session ?? null, { teamSlug: w.teamSlug, userId: w.member.user.id, role: "admin" }),
      forbiddenFor: "member",
      allowedFor: "admin",
      after: async () => expect(await roleOf(w.teamId, w.member.user.id)).toBe("admin"),
    },
    {
      action: "removeMember",
      call: (actor) => teamActions.removeMember(actor?.session ?? null, { teamSlug: w.teamSlug, userId: w.admin.user.id }),
      forbiddenFor: "member",
      allowedFor: "owner",
      after: async () => expect(await roleOf(w.teamId, w.admin.user.id)).toBeUndefined(),
    },
  ];

  for (const c of cases) {
    describe(c.action, () => {
      it("anonymous: unauthenticated", async () => {
        expect(await c.call(null)).toMatchObject({ ok: false, code: "unauthenticated" });
      });
      it("user of another team: not found (the team's existence is not revealed)", async () => {
        expect(await c.call(w.outsider)).toMatchObject({ ok: false, code: "not_found", error: "Team not found" });
      });
      it(`${c.forbiddenFor} without the role: forbidden, nothing changes`, async () => {
        const before = await listMembers(w.teamId);
        expect(await c.call(w[c.forbiddenFor])).toMatchObject({ ok: false, code: "forbidden" });
        expect(await listMembers(w.teamId)).toEqual(before);
      });
      it(`${c.allowedFor}: allowed`, async () => {
        expect(await c.call(w[c.allowedFor])).toMatchObject({ ok: true });
        await c.after?.();
      });
    });
  }

  it("create team: anonymous refused, any signed-in user becomes owner of the new team", async () => {
    expect(await teamActions.create(null, { name: "Ghost" })).toMatchObject({ ok: false, code: "unauthenticated" });
    const r = await teamActions.create(w.member.session, { name: "Side project" });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.data.slug).toMatch(/^side-project/);
    const added = await teamActions.addMember(w.member.session, { teamSlug: r.data.slug, email: w.outsider.user.email, role: "member" });
    expect(added.ok).toBe(true);
  });
});

describe("membership rules", () => {
  it("keeps the last owner: cannot be demoted or removed, not even by themselves", async () => {
    const demote = await teamActions.changeRole(w.owner.session, { teamSlug: w.teamSlug, userId: w.owner.user.id, role: "admin" });
    expect(demote).toMatchObject({ ok: false, fieldErrors: { role: [expect.stringMatching(/at least one owner/)] } });
    const leave = await teamActions.removeMember(w.owner.session, { teamSlug: w.teamSlug, userId: w.owner.user.id });
    expect(leave).toMatchObject({ ok: false, code: "conflict" });
    expect(await roleOf(w.teamId, w.owner.user.id)).toBe("owner");
  });

  it("lets an owner step down once another owner exists", async () => {
    expect(await teamActions.changeRole(w.owner.session, { teamSlug: w.teamSlug, userId: w.admin.user.id, role: "owner" })).toMatchObject({ ok: true });
    expect(await teamActions.changeRole(w.owner.session, { teamSlug: w.teamSlug, userId: w.owner.user.id, role: "member" })).toMatchObject({ ok: true });
    expect(await roleOf(w.teamId, w.owner.user.id)).toBe("member");
  });

  it("two owners demoting each other at once leave one owner", async () => {
    await teamActions.changeRole(w.owner.session, { teamSlug: w.teamSlug, userId: w.admin.user.id, role: "owner" });
    const [a, b] = await Promise.all([
      teamActions.changeRole(w.owner.session, { teamSlug: w.teamSlug, userId: w.admin.user.id, role: "member" }),
      teamActions.changeRole(w.admin.session, { teamSlug: w.teamSlug, userId: w.owner.user.id, role: "member" }),
    ]);
    expect([a.ok, b.ok].filter(Boolean)).toHaveLength(1);
    const owners = (await listMembers(w.teamId)).filter((m) => m.role === "owner");
    expect(owners).toHaveLength(1);
  });

  it("an admin cannot grant, change or remove the owner role", async () => {
    const grant = await teamActions.changeRole(w.admin.session, { teamSlug: w.teamSlug, userId: w.member.user.id, role: "owner" });
    expect(grant).toMatchObject({ ok: false, code: "forbidden" });
    const remove = await teamActions.removeMember(w.admin.session, { teamSlug: w.teamSlug, userId: w.owner.user.id });
    expect(remove).toMatchObject({ ok: false, code: "forbidden" });
    const add = await teamActions.addMember(w.admin.session, { teamSlug: w.teamSlug, email: w.outsider.user.email, role: "owner" });
    expect(add).toMatchObject({ ok: false, code: "forbidden" });
  });

  it("a member may leave; adding an existing member is a field error", async () => {
    expect(await teamActions.removeMember(w.member.session, { teamSlug: w.teamSlug, userId: w.member.user.id })).toMatchObject({ ok: true });
    const again = await teamActions.addMember(w.owner.session, { teamSlug: w.teamSlug, email: w.admin.user.email, role: "member" });
    expect(again).toMatchObject({ ok: false, fieldErrors: { email: [expect.stringMatching(/already a member/)] } });
  });

  it("refuses extra fields and bad roles on the field", async () => {
    const r = await teamActions.addMember(w.owner.session, { teamSlug: w.teamSlug, email: "x@example.test", role: "root", teamId: "t" });
    expect(r).toMatchObject({ ok: false, code: "invalid" });
    if (r.ok) return;
    expect(r.fieldErrors?.role?.[0]).toBe("Choose owner, admin or member");
    expect(r.fieldErrors?._form?.[0]).toMatch(/teamId/);
  });
});
