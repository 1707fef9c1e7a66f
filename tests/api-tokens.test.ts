import { beforeAll, describe, expect, it } from "vitest";
import { eq, sql } from "drizzle-orm";
import { db } from "@/db";
import { apiTokens } from "@/db/schema";
import { tokenActions } from "@/lib/api-tokens/actions";
import { authenticateToken, hashToken, RATE_LIMIT, type TokenCaller } from "@/lib/api-tokens/tokens";
import { registryActions } from "@/lib/registries/actions";
import { exampleInput } from "@/lib/registries/examples";
import { teamActions } from "@/lib/teams/actions";
import { newUser, registryTeam } from "./fixtures";
import type { Session } from "@/lib/actions/safe-action";

let w: Awaited<ReturnType<typeof registryTeam>>;
beforeAll(async () => {
  w = await registryTeam();
});

async function tokenFor(session: Session, role: "owner" | "admin" | "member", teamSlug = w.teamSlug) {
  const r = await tokenActions.create(session, { teamSlug, name: `t-${role}`, role, expiresInDays: 7 });
  if (!r.ok) throw new Error(JSON.stringify(r));
  return r.data;
}

async function callerOf(token: string): Promise<TokenCaller> {
  const caller = await authenticateToken(token);
  if ("refused" in caller) throw new Error(caller.refused);
  return caller;
}

describe("creating a token", () => {
  it("returns a recognisable high-entropy token once and stores only its SHA-256", async () => {
    const created = await tokenFor(w.owner.session, "owner");
    expect(created.token).toMatch(/^dky_[A-Za-z0-9_-]{43}$/);
    const [row] = await db().select().from(apiTokens).where(eq(apiTokens.id, created.tokenId));
    expect(row!.tokenHash).toBe(hashToken(created.token));
    expect(JSON.stringify(row)).not.toContain(created.token.slice(4));
    const listed = await tokenActions.list(w.owner.session, {});
    expect(JSON.stringify(listed)).not.toContain(created.token.slice(4));
    expect(JSON.stringify(listed)).not.toContain(row!.tokenHash);
  });

  it("gives a token no higher role than the creator's in that team", async () => {
    expect(await tokenActions.create(w.member.session, { teamSlug: w.teamSlug, name: "x", role: "admin", expiresInDays: 30 })).toMatchObject({ ok: false, code: "forbidden" });
    expect(await tokenActions.create(w.admin.session, { teamSlug: w.teamSlug, name: "x", role: "owner", expiresInDays: 30 })).toMatchObject({ ok: false, code: "forbidden" });
    expect(await tokenActions.create(w.admin.session, { teamSlug: w.teamSlug, name: "x", role: "admin", expiresInDays: 30 })).toMatchObject({ ok: true });
    expect(await tokenActions.create(w.outsider.session, { teamSlug: w.teamSlug, name: "x", role: "member", expiresInDays: 30 })).toMatchObject({ ok: false, code: "not_found" });
  });

  it("requires one of the offered lifetimes", async () => {
    const r = await tokenActions.create(w.owner.session, { teamSlug: w.teamSlug, name: "x", role: "member", expiresInDays: 365 });
    expect(r).toMatchObject({ ok: false, code: "invalid", fieldErrors: { expiresInDays: [expect.any(String)] } });
  });

  it("cannot be done with a token: tokens are account settings", async () => {
    const caller = await callerOf((await tokenFor(w.owner.session, "owner")).token);
    expect(await tokenActions.create(caller.session, { teamSlug: w.teamSlug, name: "x", role: "member", expiresInDays: 7 })).toMatchObject({ ok: false, code: "forbidden" });
    expect(await tokenActions.list(caller.session, {})).toMatchObject({ ok: false, code: "forbidden" });
  });
});

describe("a token's session", () => {
  it("acts in its own team only: another team of the same person is not found", async () => {
    const caller = await callerOf((await tokenFor(w.owner.session, "owner")).token);
    expect(await registryActions.list(caller.session, { teamSlug: w.teamSlug })).toMatchObject({ ok: true });
    expect(await registryActions.list(caller.session, { teamSlug: "no-such-team" })).toMatchObject({ ok: false, code: "not_found" });
    const other = await teamActions.create(w.owner.session, { name: `Other ${Date.now()}` });
    if (!other.ok) throw new Error("team");
    expect(await registryActions.list(caller.session, { teamSlug: other.data.slug })).toMatchObject({ ok: false, code: "not_found" });
  });

  it("has the token's role, not the creator's: an owner's member token cannot do what only owners and admins can", async () => {
    const reg = await registryActions.create(w.creator.session, { teamSlug: w.teamSlug, ...exampleInput("Custom", `capped ${Date.now()}`) });
    if (!reg.ok) throw new Error("create");
    const asMember = await callerOf((await tokenFor(w.owner.session, "member")).token);
    const asOwner = await callerOf((await tokenFor(w.owner.session, "owner")).token);
    expect(await registryActions.update(asMember.session, { teamSlug: w.teamSlug, registryId: reg.data.registryId, name: "renamed by member token" })).toMatchObject({ ok: false, code: "forbidden" });
    expect(await registryActions.update(asOwner.session, { teamSlug: w.teamSlug, registryId: reg.data.registryId, name: `renamed ${Date.now()}` })).toMatchObject({ ok: true });
  });

  it("is capped again by the creator's current role: demoted, the token is demoted; removed, it reaches nothing", async () => {
    const t = await registryTeam();
    const adminToken = await tokenFor(t.admin.session, "admin", t.teamSlug);
    const reg = await registryActions.create(t.creator.session, { teamSlug: t.teamSlug, ...exampleInput("Custom", "demotion") });
    if (!reg.ok) throw new Error("create");
    const rename = async (name: string) => registryActions.update((await callerOf(adminToken.token)).session, { teamSlug: t.teamSlug, registryId: reg.data.registryId, name });
    expect(await rename("as admin")).toMatchObject({ ok: true });
    expect(await teamActions.changeRole(t.owner.session, { teamSlug: t.teamSlug, userId: t.admin.user.id, role: "member" })).toMatchObject({ ok: true });
    expect(await rename("as demoted")).toMatchObject({ ok: false, code: "forbidden" });
    expect(await teamActions.removeMember(t.owner.session, { teamSlug: t.teamSlug, userId: t.admin.user.id })).toMatchObject({ ok: true });
    expect(await rename("as removed")).toMatchObject({ ok: false, code: "not_found" });
  });
});

describe("authenticating", () => {
  it("refuses an unknown, a malformed, a revoked and an expired token, saying which to its holder", async () => {
    expect(await authenticateToken("dky_" + "A".repeat(43))).toEqual({ refused: "The token is not valid" });
    expect(await authenticateToken("ghp_abc")).toEqual({ refused: "The token is not a Dockyard API token" });
    const revoked = await tokenFor(w.member.session, "member");
    expect(await tokenActions.revoke(w.owner.session, { tokenId: revoked.tokenId })).toMatchObject({ ok: false, code: "not_found" });
    expect(await tokenActions.revoke(w.member.session, { tokenId: revoked.tokenId })).toMatchObject({ ok: true });
    expect(await authenticateToken(revoked.token)).toEqual({ refused: "The token was revoked" });
    const expired = await tokenFor(w.member.session, "member");
    await db().update(apiTokens).set({ expiresAt: sql`now() - interval '1 second'` }).where(eq(apiTokens.id, expired.tokenId));
    expect(await authenticateToken(expired.token)).toEqual({ refused: "The token has expired" });
  });

  it("records when a token was last used", async () => {
    const created = await tokenFor(w.member.session, "member");
    const before = await tokenActions.list(w.member.session, {});
    expect(before.ok && before.data.find((t) => t.id === created.tokenId)?.lastUsedAt).toBeNull();
    await callerOf(created.token);
    const after = await tokenActions.list(w.member.session, {});
    expect(after.ok && after.data.find((t) => t.id === created.tokenId)?.lastUsedAt).toBeInstanceOf(Date);
  });

  it(`counts parallel requests exactly: ${RATE_LIMIT.requests} a minute pass, the rest wait for the window`, async () => {
    const { team, session } = await newUser("limited");
    const { token } = await tokenFor(session, "owner", team.slug);
    const results = await Promise.all(Array.from({ length: RATE_LIMIT.requests + 15 }, () => authenticateToken(token)));
    const limited = results.filter((r) => "retryAfter" in r && r.retryAfter !== undefined);
    expect(results.length - limited.length).toBe(RATE_LIMIT.requests);
    expect(limited).toHaveLength(15);
    for (const r of limited) expect((r as TokenCaller).retryAfter).toBeGreaterThan(0);
    // A new window starts once the minute is over.
    await db().update(apiTokens).set({ windowStart: sql`now() - interval '61 seconds'` }).where(eq(apiTokens.tokenHash, hashToken(token)));
    expect(await callerOf(token)).not.toHaveProperty("retryAfter");
  });
});
