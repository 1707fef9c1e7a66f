import { randomBytes, randomInt } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { inArray, sql } from "drizzle-orm";
import { db } from "@/db";
import { signInThrottle } from "@/db/schema";
import { verifyCredentials } from "@/lib/auth/accounts";
import { PEER_ADDRESS_HEADER, PEER_ADDRESS_STAMPED_ENV, UNKNOWN_CLIENT, clientAddress, clientAddressFrom } from "@/lib/auth/client-address";
import { verifyAgainstDummy, verifyPassword } from "@/lib/auth/password";
import { SIGN_IN_LIMITS, SignInRateLimited, throttleKeys } from "@/lib/auth/throttle";
import { PASSWORD, newUser } from "./fixtures";

// Counts every password check: the real ones and the dummy one an unknown e-mail gets.
vi.mock("@/lib/auth/password", async (importOriginal) => {
  const real = await importOriginal<typeof import("@/lib/auth/password")>();
  return { ...real, verifyPassword: vi.fn(real.verifyPassword), verifyAgainstDummy: vi.fn(real.verifyAgainstDummy) };
});

const passwordChecks = () => vi.mocked(verifyPassword).mock.calls.length + vi.mocked(verifyAgainstDummy).mock.calls.length;
beforeEach(() => vi.clearAllMocks());

/** A client address of its own per test, from the benchmarking range. */
const newClient = () => `198.18.${randomInt(256)}.${randomInt(256)}`;

/** Settles every attempt and sorts them: null (password checked and wrong), a user, or refused by the throttle. */
async function attempts(calls: Promise<unknown>[]) {
  const settled = await Promise.allSettled(calls);
  const refused = settled.filter((r) => r.status === "rejected" && r.reason instanceof SignInRateLimited).length;
  const other = settled.filter((r) => r.status === "rejected" && !(r.reason instanceof SignInRateLimited));
  expect(other).toEqual([]);
  const values = settled.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
  return { wrong: values.filter((v) => v === null).length, signedIn: values.filter((v) => v !== null).length, refused };
}

describe("sign-in throttle", () => {
  it(`lets exactly ${SIGN_IN_LIMITS.perEmailAndClient} of 40 parallel attempts on one e-mail from one client reach the password check`, async () => {
    const { user } = await newUser("parallel");
    const client = newClient();
    const outcome = await attempts(
      Array.from({ length: 40 }, (_, i) => verifyCredentials({ email: user.email, password: `wrong password ${i}` }, client)),
    );
    expect(passwordChecks()).toBe(SIGN_IN_LIMITS.perEmailAndClient);
    expect(outcome).toEqual({ wrong: SIGN_IN_LIMITS.perEmailAndClient, signedIn: 0, refused: 40 - SIGN_IN_LIMITS.perEmailAndClient });
  });

  it("never refuses the right password from another client, however many failures someone else caused", async () => {
    const { user } = await newUser("owner");
    const attacker = newClient();
    const owner = newClient();
    const attack = await attempts(Array.from({ length: 15 }, (_, i) => verifyCredentials({ email: user.email, password: `guess ${i}` }, attacker)));
    expect(attack).toEqual({ wrong: 10, signedIn: 0, refused: 5 });
    // The attacker's own address is refused even with the right password…
    await expect(verifyCredentials({ email: user.email, password: PASSWORD }, attacker)).rejects.toBeInstanceOf(SignInRateLimited);
    // …while the owner, elsewhere, signs in.
    await expect(verifyCredentials({ email: user.email, password: PASSWORD }, owner)).resolves.toMatchObject({ id: user.id });
  });

  it(`stops one client spraying many e-mails after ${SIGN_IN_LIMITS.perClient} failures`, async () => {
    const client = newClient();
    const outcome = await attempts(
      Array.from({ length: 60 }, (_, i) => verifyCredentials({ email: `spray-${i}-${randomBytes(3).toString("hex")}@example.test`, password: PASSWORD }, client)),
    );
    expect(passwordChecks()).toBe(SIGN_IN_LIMITS.perClient);
    expect(outcome).toEqual({ wrong: SIGN_IN_LIMITS.perClient, signedIn: 0, refused: 60 - SIGN_IN_LIMITS.perClient });
    // Another client is not affected.
    const { user } = await newUser("other-client");
    await expect(verifyCredentials({ email: user.email, password: PASSWORD }, newClient())).resolves.toMatchObject({ id: user.id });
  });

  it("starts an e-mail's count again after a correct password, and a client's successes never use up its limit", async () => {
    const { user } = await newUser("reset");
    const client = newClient();
    for (let i = 0; i < SIGN_IN_LIMITS.perEmailAndClient - 1; i++) {
      await expect(verifyCredentials({ email: user.email, password: `typo ${i}` }, client)).resolves.toBeNull();
    }
    await expect(verifyCredentials({ email: user.email, password: PASSWORD }, client)).resolves.toMatchObject({ id: user.id });
    vi.clearAllMocks();
    const after = await attempts(Array.from({ length: 11 }, (_, i) => verifyCredentials({ email: user.email, password: `again ${i}` }, client)));
    expect(after).toEqual({ wrong: 10, signedIn: 0, refused: 1 });

    // An office behind one address: more correct sign-ins in a row than the client limit, all let in.
    const { user: colleague } = await newUser("office");
    const office = newClient();
    for (let i = 0; i < SIGN_IN_LIMITS.perClient + 5; i++) {
      await expect(verifyCredentials({ email: colleague.email, password: PASSWORD }, office)).resolves.toMatchObject({ id: colleague.id });
    }
  });

  it("counts from one again once the window has passed, and sweeps passed windows", async () => {
    const { user } = await newUser("window");
    const client = newClient();
    await attempts(Array.from({ length: 11 }, (_, i) => verifyCredentials({ email: user.email, password: `old ${i}` }, client)));
    const keys = throttleKeys(user.email, client);
    const stale = [keys.client, keys.emailAndClient];
    await db()
      .update(signInThrottle)
      .set({ windowStart: sql`now() - make_interval(mins => ${SIGN_IN_LIMITS.windowMinutes + 1}::int)` })
      .where(inArray(signInThrottle.key, stale));
    await expect(verifyCredentials({ email: user.email, password: "one more guess" }, client)).resolves.toBeNull();
    const rows = await db().select().from(signInThrottle).where(inArray(signInThrottle.key, stale));
    expect(rows.map((r) => r.attempts)).toEqual([1, 1]);

    // A passed window of another client is deleted by the next successful sign-in anywhere.
    const other = newClient();
    await expect(verifyCredentials({ email: user.email, password: "wrong" }, other)).resolves.toBeNull();
    const otherKeys = Object.values(throttleKeys(user.email, other));
    await db().update(signInThrottle).set({ windowStart: sql`now() - interval '1 day'` }).where(inArray(signInThrottle.key, otherKeys));
    await verifyCredentials({ email: user.email, password: PASSWORD }, newClient());
    await expect(db().select().from(signInThrottle).where(inArray(signInThrottle.key, otherKeys))).resolves.toEqual([]);
  });

  it("does not let X-Forwarded-For split one client into many unless a proxy is trusted", async () => {
    const { user } = await newUser("forwarded");
    const peer = newClient();
    const forged = (i: number) => new Headers({ [PEER_ADDRESS_HEADER]: peer, "x-forwarded-for": `203.0.113.${i}` });
    const outcome = await attempts(
      Array.from({ length: 15 }, (_, i) => verifyCredentials({ email: user.email, password: `guess ${i}` }, clientAddressFrom(forged(i), 0))),
    );
    expect(outcome).toEqual({ wrong: 10, signedIn: 0, refused: 5 });
  });
});

describe("client address", () => {
  const headers = (peer: string, forwardedFor?: string) =>
    new Headers({ [PEER_ADDRESS_HEADER]: peer, ...(forwardedFor === undefined ? {} : { "x-forwarded-for": forwardedFor }) });

  it("is the socket's peer address when no proxy is trusted, whatever X-Forwarded-For says", () => {
    expect(clientAddressFrom(headers("192.0.2.7", "203.0.113.9"), 0)).toBe("192.0.2.7");
    expect(clientAddressFrom(headers("::ffff:192.0.2.7"), 0)).toBe("192.0.2.7");
  });

  it("is the address the outermost trusted proxy saw, ignoring entries the client wrote to the left", () => {
    expect(clientAddressFrom(headers("10.0.0.2", "203.0.113.9"), 1)).toBe("203.0.113.9");
    expect(clientAddressFrom(headers("10.0.0.2", "6.6.6.6, 203.0.113.9"), 1)).toBe("203.0.113.9");
    expect(clientAddressFrom(headers("10.0.0.2", "6.6.6.6, 203.0.113.9, 10.0.0.1"), 2)).toBe("203.0.113.9");
    // Reached without passing the proxy: the only address known is the peer's.
    expect(clientAddressFrom(headers("203.0.113.4"), 1)).toBe("203.0.113.4");
    // A trusted position holding no address is a misconfigured proxy: fall back to the peer.
    expect(clientAddressFrom(headers("10.0.0.2", "not-an-address"), 1)).toBe("10.0.0.2");
  });

  it("keys an IPv6 client by its /64", () => {
    const a = clientAddressFrom(headers("2001:db8:1:2:aaaa::1"), 0);
    expect(a).toBe("2001:db8:1:2::/64");
    expect(clientAddressFrom(headers("2001:0db8:0001:0002:bbbb:cccc:dddd:eeee"), 0)).toBe(a);
    expect(clientAddressFrom(headers("2001:db8:1:3::1"), 0)).not.toBe(a);
    expect(clientAddressFrom(headers("::1"), 0)).toBe("0:0:0:0::/64");
  });

  describe("of a running server", () => {
    afterEach(() => vi.unstubAllEnvs());

    it("believes the peer header only when scripts/server.mjs set it", () => {
      const request = headers("192.0.2.7");
      vi.stubEnv(PEER_ADDRESS_STAMPED_ENV, "");
      expect(clientAddress(request)).toBe(UNKNOWN_CLIENT);
      vi.stubEnv(PEER_ADDRESS_STAMPED_ENV, "1");
      expect(clientAddress(request)).toBe("192.0.2.7");
    });
  });
});
