import { randomBytes } from "node:crypto";
import { beforeEach, describe, expect, it } from "vitest";
import { and, eq, sql } from "drizzle-orm";
import { db } from "@/db";
import { auditEvents, invitations, memberships } from "@/db/schema";
import { signUp } from "@/lib/auth/accounts";
import { teamActions } from "@/lib/teams/actions";
import { invitationByToken } from "@/lib/teams/invitations";
import { PASSWORD, newUser, roleTeam } from "./fixtures";

type Actor = Awaited<ReturnType<typeof newUser>>;

let w: Awaited<ReturnType<typeof roleTeam>>;
beforeEach(async () => {
  w = await roleTeam();
});

const newEmail = () => `invitee-${randomBytes(5).toString("hex")}@example.test`;
const tokenOf = (path: string) => path.replace(/^\/invite\//, "");

async function invite(by: Actor, email = newEmail(), role: "owner" | "admin" | "member" = "member") {
  const r = await teamActions.addMember(by.session, { teamSlug: w.teamSlug, email, role });
  if (!r.ok || r.data.added) throw new Error(JSON.stringify(r));
  return { ...r.data.invitation, token: tokenOf(r.data.invitation.path) };
}

async function roleIn(teamId: string, userId: string) {
  const [row] = await db().select({ role: memberships.role }).from(memberships).where(and(eq(memberships.teamId, teamId), eq(memberships.userId, userId)));
  return row?.role;
}

async function pending(teamId: string) {
  return db().select().from(invitations).where(and(eq(invitations.teamId, teamId), sql`accepted_at is null and revoked_at is null`));
}

describe("access matrix: inviting someone without an account", () => {
  it("anonymous: unauthenticated; another team: not found; member: forbidden; nothing is created", async () => {
    const email = newEmail();
    expect(await teamActions.addMember(null, { teamSlug: w.teamSlug, email, role: "member" })).toMatchObject({ ok: false, code: "unauthenticated" });
    expect(await teamActions.addMember(w.outsider.session, { teamSlug: w.teamSlug, email, role: "member" })).toMatchObject({ ok: false, code: "not_found", error: "Team not found" });
    expect(await teamActions.addMember(w.member.session, { teamSlug: w.teamSlug, email, role: "member" })).toMatchObject({ ok: false, code: "forbidden" });
    expect(await pending(w.teamId)).toEqual([]);
  });

  it("admin: a link for that e-mail, stored only as a hash; an owner invitation is for owners only", async () => {
    const r = await teamActions.addMember(w.admin.session, { teamSlug: w.teamSlug, email: "New.Person@Example.test", role: "admin" });
    expect(r).toMatchObject({ ok: true, data: { added: false, invitation: { email: "new.person@example.test", role: "admin", path: expect.stringMatching(/^\/invite\/[A-Za-z0-9_-]{43}$/) } } });
    if (!r.ok || r.data.added) return;
    const token = tokenOf(r.data.invitation.path);
    const rows = await db().select().from(invitations).where(eq(invitations.teamId, w.teamId));
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(token);
    expect(rows[0]!.expiresAt.getTime() - Date.now()).toBeGreaterThan(6.9 * 24 * 3600 * 1000);
    expect(await teamActions.addMember(w.admin.session, { teamSlug: w.teamSlug, email: newEmail(), role: "owner" })).toMatchObject({ ok: false, code: "forbidden" });
  });

  it("owner: may invite an owner; inviting the same e-mail again replaces the earlier link", async () => {
    const first = await invite(w.owner, newEmail(), "owner");
    const second = await invite(w.owner, first.email, "member");
    expect(second.token).not.toBe(first.token);
    expect(await invitationByToken(first.token)).toMatchObject({ state: "revoked" });
    expect(await invitationByToken(second.token)).toMatchObject({ state: "pending", role: "member", team: { slug: w.teamSlug } });
    expect(await pending(w.teamId)).toHaveLength(1);
  });
});

describe("access matrix: revoking an invitation", () => {
  it("anonymous, another team, a member: refused; an admin may, except an owner's invitation; the link stops working", async () => {
    const inv = await invite(w.owner);
    const ownerInv = await invite(w.owner, newEmail(), "owner");
    const call = (a: Actor | null, invitationId = inv.invitationId) => teamActions.revokeInvitation(a?.session ?? null, { teamSlug: w.teamSlug, invitationId });
    expect(await call(null)).toMatchObject({ ok: false, code: "unauthenticated" });
    expect(await call(w.outsider)).toMatchObject({ ok: false, code: "not_found" });
    expect(await call(w.member)).toMatchObject({ ok: false, code: "forbidden" });
    expect(await call(w.admin, ownerInv.invitationId)).toMatchObject({ ok: false, code: "forbidden" });
    expect(await call(w.admin)).toMatchObject({ ok: true });
    expect(await call(w.owner, ownerInv.invitationId)).toMatchObject({ ok: true });
    // Revoked twice: it is no longer pending.
    expect(await call(w.owner)).toMatchObject({ ok: false, code: "not_found" });
    const stranger = await signUpWith(inv.email, inv.token);
    expect(stranger).toMatchObject({ ok: false, message: expect.stringMatching(/revoked/) });
  });

  it("an invitation of another team is not found, even for that team's owner acting through this team", async () => {
    const foreign = await teamActions.addMember(w.outsider.session, { teamSlug: w.outsider.team.slug, email: newEmail(), role: "member" });
    if (!foreign.ok || foreign.data.added) throw new Error("setup");
    expect(await teamActions.revokeInvitation(w.owner.session, { teamSlug: w.teamSlug, invitationId: foreign.data.invitation.invitationId })).toMatchObject({ ok: false, code: "not_found" });
  });
});

async function signUpWith(email: string, invite: string) {
  try {
    const r = await signUp({ name: "Invitee", email, password: PASSWORD, invite });
    return { ok: true as const, ...r };
  } catch (err) {
    return { ok: false as const, message: (err as Error).message, fieldErrors: (err as { fieldErrors?: unknown }).fieldErrors };
  }
}

describe("accepting", () => {
  it("at sign-up: the new account joins with the invited role and keeps its personal team; audited", async () => {
    const inv = await invite(w.admin, newEmail(), "admin");
    const r = await signUpWith(inv.email, inv.token);
    expect(r).toMatchObject({ ok: true, joined: { teamSlug: w.teamSlug } });
    if (!r.ok) return;
    expect(await roleIn(w.teamId, r.user.id)).toBe("admin");
    expect(await roleIn(r.team.id, r.user.id)).toBe("owner");
    expect(await invitationByToken(inv.token)).toMatchObject({ state: "accepted", acceptedBy: r.user.id });
    const history = await db().select().from(auditEvents).where(eq(auditEvents.teamId, w.teamId));
    expect(history.map((e) => e.action)).toEqual(expect.arrayContaining(["team.invited", "team.invitation_accepted"]));
    expect(JSON.stringify(history)).not.toContain(inv.token);
  });

  it("is bound to the e-mail: another address creates no account and says which one the link is for", async () => {
    const inv = await invite(w.owner);
    const other = newEmail();
    const r = await signUpWith(other, inv.token);
    expect(r).toMatchObject({ ok: false, fieldErrors: { email: [`This invitation is for ${inv.email}. Sign in or create an account with that address to accept it.`] } });
    expect(await signUpWith(other, inv.token)).toMatchObject({ ok: false });
    // The account was not created: the address is still free.
    expect(await signUp({ name: "Other", email: other, password: PASSWORD })).toMatchObject({ user: { email: other } });
    // An existing account of another e-mail cannot accept it either.
    expect(await teamActions.acceptInvitation(w.outsider.session, { token: inv.token })).toMatchObject({ ok: false, code: "forbidden" });
    expect(await invitationByToken(inv.token)).toMatchObject({ state: "pending" });
  });

  it("is used once: of two accepts racing, one joins and the other is told it was used", async () => {
    const email = newEmail();
    const inv = await invite(w.owner, email);
    const later = await signUp({ name: "Later", email, password: PASSWORD });
    const session = { userId: later.user.id };
    const results = await Promise.all([teamActions.acceptInvitation(session, { token: inv.token }), teamActions.acceptInvitation(session, { token: inv.token })]);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.find((r) => !r.ok)).toMatchObject({ code: "conflict", error: "This invitation has already been used." });
    const accepted = await db().select().from(auditEvents).where(and(eq(auditEvents.teamId, w.teamId), eq(auditEvents.action, "team.invitation_accepted")));
    expect(accepted).toHaveLength(1);
  });

  it("expires", async () => {
    const inv = await invite(w.owner);
    await db().update(invitations).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(invitations.id, inv.invitationId));
    expect(await invitationByToken(inv.token)).toMatchObject({ state: "expired" });
    const r = await signUpWith(inv.email, inv.token);
    expect(r).toMatchObject({ ok: false, message: "This invitation has expired. Ask the team's owner or an admin for a new link." });
  });

  it("by a signed-in user with that e-mail (an account made after the invitation): anonymous refused, a made-up token not found", async () => {
    const email = newEmail();
    const inv = await invite(w.owner, email);
    const later = await signUp({ name: "Later", email, password: PASSWORD });
    expect(await teamActions.acceptInvitation(null, { token: inv.token })).toMatchObject({ ok: false, code: "unauthenticated" });
    expect(await teamActions.acceptInvitation({ userId: later.user.id }, { token: randomBytes(32).toString("base64url") })).toMatchObject({ ok: false, code: "not_found" });
    expect(await teamActions.acceptInvitation({ userId: later.user.id }, { token: inv.token })).toMatchObject({ ok: true, data: { teamSlug: w.teamSlug } });
    expect(await roleIn(w.teamId, later.user.id)).toBe("member");
  });

  it("adding someone who signed up without the link makes them a member and retires the link", async () => {
    const email = newEmail();
    const inv = await invite(w.owner, email);
    const later = await signUp({ name: "Later", email, password: PASSWORD });
    expect(await teamActions.addMember(w.owner.session, { teamSlug: w.teamSlug, email, role: "member" })).toMatchObject({ ok: true, data: { added: true, userId: later.user.id } });
    expect(await invitationByToken(inv.token)).toMatchObject({ state: "revoked" });
  });
});
