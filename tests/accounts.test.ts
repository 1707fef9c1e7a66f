import { describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { db } from "@/db";
import { memberships, teams, users } from "@/db/schema";
import { signUp, verifyCredentials } from "@/lib/auth/accounts";
import { SafeError } from "@/lib/errors";
import { PASSWORD, newUser } from "./fixtures";

describe("sign-up", () => {
  it("creates the user, a personal team and the owner membership", async () => {
    const { user, team } = await newUser("signup");
    const [row] = await db().select().from(users).where(eq(users.id, user.id));
    expect(row?.passwordHash).toMatch(/^\$argon2id\$/);
    expect(row?.passwordHash).not.toContain(PASSWORD);
    const [t] = await db().select().from(teams).where(eq(teams.id, team.id));
    expect(t).toMatchObject({ personal: true });
    const ms = await db().select().from(memberships).where(eq(memberships.userId, user.id));
    expect(ms).toEqual([expect.objectContaining({ teamId: team.id, role: "owner" })]);
  });

  it("refuses a registered e-mail on the e-mail field, whatever its case", async () => {
    const { user } = await newUser("dup");
    const err = await signUp({ name: "Other", email: user.email.toUpperCase(), password: PASSWORD }).catch((e) => e);
    expect(err).toBeInstanceOf(SafeError);
    expect((err as SafeError).fieldErrors?.email?.[0]).toMatch(/already exists/);
  });

  it("leaves exactly one user and one team when the same e-mail signs up twice at once", async () => {
    const email = `race-${Date.now()}@example.test`;
    const results = await Promise.allSettled([
      signUp({ name: "Racer A", email, password: PASSWORD }),
      signUp({ name: "Racer B", email, password: PASSWORD }),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const rejected = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
    expect((rejected.reason as SafeError).fieldErrors?.email).toBeDefined();
    const rows = await db().select().from(users).where(eq(users.email, email));
    expect(rows).toHaveLength(1);
    const owned = await db().select().from(memberships).where(eq(memberships.userId, rows[0]!.id));
    expect(owned).toHaveLength(1);
  });

  it("rejects a malformed e-mail and a short password with field messages", async () => {
    const err = await signUp({ name: "X", email: "not-an-email", password: "short" }).catch((e) => e);
    const issues = (err as { issues: { path: string[]; message: string }[] }).issues;
    expect(issues.map((i) => [i.path[0], i.message])).toEqual([
      ["email", "Enter a valid e-mail address, like name@example.com"],
      ["password", "Password must be at least 10 characters"],
    ]);
  });
});

describe("sign-in", () => {
  it("returns the user for the right password and null for a wrong one or an unknown e-mail", async () => {
    const { user } = await newUser("signin");
    const client = "192.0.2.10";
    await expect(verifyCredentials({ email: user.email, password: PASSWORD }, client)).resolves.toMatchObject({ id: user.id, sessionGeneration: 0 });
    await expect(verifyCredentials({ email: user.email, password: "wrong password!" }, client)).resolves.toBeNull();
    await expect(verifyCredentials({ email: "nobody@example.test", password: PASSWORD }, client)).resolves.toBeNull();
  });
});
