import { describe, expect, it } from "vitest";
import { Auth } from "@auth/core";
import type { JWT } from "next-auth/jwt";
import { eq } from "drizzle-orm";
import { db } from "@/db";
import { revokedSessions, users } from "@/db/schema";
import { accountActions } from "@/lib/auth/account-actions";
import { verifyCredentials } from "@/lib/auth/accounts";
import { baseAuthConfig } from "@/lib/auth/config";
import { bumpSessionGeneration, generationGrant, grantedGeneration, revokeSession, SESSION_MAX_AGE_SECONDS } from "@/lib/auth/sessions";
import { PASSWORD, newUser } from "./fixtures";

const CLIENT = "192.0.2.44";
const { jwt } = baseAuthConfig().callbacks;

/** What Auth.js does at sign-in: the jwt callback with the user authorize returned. */
async function signIn(email: string, password = PASSWORD): Promise<JWT> {
  const user = await verifyCredentials({ email, password }, CLIENT);
  if (!user) throw new Error("sign-in failed");
  const token = await jwt({ token: { sub: user.id }, user, account: null, trigger: "signIn" });
  if (!token) throw new Error("no token");
  return token;
}

/** What Auth.js does on every request (proxy and auth()): null means the cookie is cleared. */
const read = (token: JWT) => jwt({ token, user: undefined as never, account: null });
const update = (token: JWT, data: unknown) => jwt({ token, user: undefined as never, account: null, trigger: "update", session: data });

describe("sessions", () => {
  it("gives each sign-in its own session id under the user's generation", async () => {
    const { user } = await newUser("sid");
    const a = await signIn(user.email);
    const b = await signIn(user.email);
    expect(a).toMatchObject({ uid: user.id, gen: 0 });
    expect(a.sid).toMatch(/^[\w-]{22}$/);
    expect(b.sid).not.toBe(a.sid);
    await expect(read(a)).resolves.toMatchObject({ uid: user.id, sid: a.sid });
  });

  it("refuses a signed-out session's token from then on, and only that session's", async () => {
    const { user } = await newUser("signout");
    const signedOut = await signIn(user.email);
    const other = await signIn(user.email);
    await revokeSession(signedOut.sid!);
    await expect(read(signedOut)).resolves.toBeNull();
    await expect(read(other)).resolves.not.toBeNull();
    const [row] = await db().select().from(revokedSessions).where(eq(revokedSessions.sessionId, signedOut.sid!));
    // Kept as long as any re-issued copy of the token could live.
    expect(row!.expiresAt.getTime()).toBeGreaterThan(Date.now() + (SESSION_MAX_AGE_SECONDS - 60) * 1000);
  });

  it("refuses tokens without a session id (issued before revocation existed) and tokens of a deleted user", async () => {
    const { user } = await newUser("legacy");
    await expect(read({ uid: user.id, sub: user.id })).resolves.toBeNull();
    const token = await signIn(user.email);
    await db().delete(users).where(eq(users.id, user.id));
    await expect(read(token)).resolves.toBeNull();
  });

  it("signing out everywhere refuses every session issued before, but not one signed in after", async () => {
    const { user, session } = await newUser("everywhere");
    const laptop = await signIn(user.email);
    const phone = await signIn(user.email);
    const result = await accountActions(CLIENT).signOutEverywhere(session, {});
    expect(result.ok).toBe(true);
    await expect(read(laptop)).resolves.toBeNull();
    await expect(read(phone)).resolves.toBeNull();
    await expect(read(await signIn(user.email))).resolves.toMatchObject({ gen: 1 });
  });

  it("a password change refuses the other sessions, and the grant keeps the one that made it", async () => {
    const { user, session } = await newUser("password");
    const current = await signIn(user.email);
    const other = await signIn(user.email);
    const newPassword = "a brand new passphrase";
    const result = await accountActions(CLIENT).changePassword(session, { currentPassword: PASSWORD, newPassword, confirmPassword: newPassword });
    if (!result.ok) throw new Error(result.error);

    await expect(read(other)).resolves.toBeNull();
    await expect(read(current)).resolves.toBeNull();
    const reissued = await update(current, { generationGrant: result.data.generationGrant });
    expect(reissued).toMatchObject({ sid: current.sid, gen: 1 });
    await expect(read(reissued!)).resolves.toMatchObject({ sid: current.sid });
    // Even a server grant does not bring back a session that was signed out.
    await revokeSession(other.sid!);
    await expect(update(other, { generationGrant: result.data.generationGrant })).resolves.toBeNull();

    await expect(verifyCredentials({ email: user.email, password: PASSWORD }, CLIENT)).resolves.toBeNull();
    await expect(verifyCredentials({ email: user.email, password: newPassword }, CLIENT)).resolves.toMatchObject({ id: user.id, sessionGeneration: 1 });
  });

  it("a browser cannot raise its token's generation through the session update: only a grant signed by the server can", async () => {
    const { user } = await newUser("forge");
    const stolen = await signIn(user.email);
    const generation = await bumpSessionGeneration(user.id);
    const forged = `${user.id}.${generation}.${Date.now() + 60_000}.${Buffer.alloc(32).toString("base64url")}`;
    await expect(update(stolen, { generationGrant: forged })).resolves.toBeNull();
    await expect(update(stolen, { generationGrant: generation })).resolves.toBeNull();
    await expect(update(stolen, { gen: generation })).resolves.toBeNull();

    const { user: other } = await newUser("forge-other");
    expect(grantedGeneration(generationGrant(other.id, generation), user.id)).toBeUndefined();
    expect(grantedGeneration(generationGrant(user.id, generation), user.id)).toBe(generation);
    const expired = generationGrant(user.id, generation).split(".");
    expired[2] = String(Date.now() - 1);
    expect(grantedGeneration(expired.join("."), user.id)).toBeUndefined();
  });

  it("a password change checks the current password, reports each field's error, and is throttled like a sign-in", async () => {
    const { user, session } = await newUser("change");
    const actions = accountActions("192.0.2.45");
    const mismatch = await actions.changePassword(session, { currentPassword: "", newPassword: "short", confirmPassword: "other" });
    expect(mismatch).toMatchObject({ ok: false, code: "invalid" });
    expect(mismatch.ok ? {} : mismatch.fieldErrors).toEqual({
      currentPassword: ["Enter your current password"],
      newPassword: ["Password must be at least 10 characters"],
      confirmPassword: ["The two new passwords differ"],
    });

    const attempt = (currentPassword: string) =>
      actions.changePassword(session, { currentPassword, newPassword: "new passphrase 123", confirmPassword: "new passphrase 123" });
    for (let i = 0; i < 10; i++) {
      await expect(attempt(`guess ${i}`)).resolves.toMatchObject({ ok: false, fieldErrors: { currentPassword: ["This is not your current password"] } });
    }
    await expect(attempt(PASSWORD)).resolves.toMatchObject({ ok: false, code: "rate_limited" });
    const [row] = await db().select({ gen: users.sessionGeneration }).from(users).where(eq(users.id, user.id));
    expect(row!.gen).toBe(0);
    await expect(accountActions(CLIENT).changePassword(null, {})).resolves.toMatchObject({ ok: false, code: "unauthenticated" });
  });
});

describe("session cookies", () => {
  /** The cookies Auth.js (next-auth's engine) sets on a plain-http request, as behind a proxy that terminates TLS. */
  async function cookiesBehindTls(publicUrl: string) {
    const config = baseAuthConfig({ authSecret: "test-auth-secret-that-is-long-enough-0123456789", publicUrl: new URL(publicUrl) });
    const response = await Auth(new Request("http://10.0.0.5:3000/api/auth/csrf"), { ...config, basePath: "/api/auth" });
    return response.headers.getSetCookie();
  }

  it("are Secure when the public URL is https, though the request reaching the app is plain http", async () => {
    const [csrf] = await cookiesBehindTls("https://dockyard.example.com");
    expect(csrf).toMatch(/^__Host-authjs\.csrf-token=[^;]+;.*\bSecure\b/);
  });

  it("are not Secure for an http public URL", async () => {
    const [csrf] = await cookiesBehindTls("http://localhost:3000");
    expect(csrf).toMatch(/^authjs\.csrf-token=/);
    expect(csrf).not.toMatch(/\bSecure\b/);
  });
});

