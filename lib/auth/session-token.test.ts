import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { EncryptJWT } from "jose";
import { decode, encode } from "next-auth/jwt";
import { decodeSessionToken } from "./session-token";

const secret = randomBytes(32).toString("base64");
const salt = "authjs.session-token";
const claims = { uid: "usr-abc", sid: "sid-123", gen: 2, name: "Ada <b>" };

/** Flips one bit of one part of a compact JWE, keeping it valid base64url. */
function tampered(token: string, part: number): string {
  const parts = token.split(".");
  const bytes = Buffer.from(parts[part]!, "base64url");
  bytes[Math.floor(bytes.length / 2)]! ^= 1;
  parts[part] = bytes.toString("base64url");
  return parts.join(".");
}

describe("decodeSessionToken", () => {
  it("reads what Auth.js issues exactly as Auth.js reads it", async () => {
    for (let i = 0; i < 20; i++) {
      const token = await encode({ token: { ...claims, n: i, note: "x".repeat(i * 7) }, secret, salt });
      expect(decodeSessionToken({ token, secret, salt })).toEqual(await decode({ token, secret, salt }));
    }
    // The other cookie name (https) derives another key.
    const secure = await encode({ token: claims, secret, salt: "__Secure-authjs.session-token" });
    expect(decodeSessionToken({ token: secure, secret, salt: "__Secure-authjs.session-token" })).toMatchObject(claims);
    expect(decodeSessionToken({ token: secure, secret, salt })).toBeNull();
  });

  it("refuses a token with any part changed, another secret's, an expired one and malformed ones", async () => {
    const token = await encode({ token: claims, secret, salt });
    for (const part of [0, 2, 3, 4]) expect(decodeSessionToken({ token: tampered(token, part), secret, salt }), `part ${part}`).toBeNull();
    expect(decodeSessionToken({ token, secret: randomBytes(32).toString("base64"), salt })).toBeNull();
    const expired = await encode({ token: claims, secret, salt, maxAge: -1 });
    expect(decodeSessionToken({ token: expired, secret, salt })).toBeNull();
    // A part with a dangling last character (length 4n + 1) decodes to the same bytes in Buffer, but
    // jose refuses it: a ciphertext of 48n bytes is written in 4n characters, so one is appended there.
    let aligned: string | undefined;
    for (let pad = 0; !aligned && pad < 48; pad++) {
      const candidate = await encode({ token: { ...claims, pad: "p".repeat(pad) }, secret, salt });
      if (candidate.split(".")[3]!.length % 4 === 0) aligned = candidate;
    }
    const [h, k, iv, c, t] = aligned!.split(".");
    expect(decodeSessionToken({ token: aligned!, secret, salt })).toMatchObject(claims);
    expect(decodeSessionToken({ token: [h, k, iv, `${c}A`, t].join("."), secret, salt })).toBeNull();
    expect(decodeSessionToken({ token: [h, k, iv, c, `${t}A`].join("."), secret, salt })).toBeNull();
    for (const bad of ["", "a.b.c.d", `${token}.x`, token.replace(/\.[^.]*\./, ".AAAA."), token.replaceAll(".", "!"), token.slice(0, -3)]) {
      expect(decodeSessionToken({ token: bad, secret, salt }), bad).toBeNull();
    }
  });

  it("refuses another algorithm, a header Auth.js does not write and a key id of another key, even when the tag is right", async () => {
    const { hkdfSync } = await import("node:crypto");
    const key = new Uint8Array(hkdfSync("sha256", secret, salt, `Auth.js Generated Encryption Key (${salt})`, 64));
    const sealed = (header: Record<string, unknown>) => new EncryptJWT({ ...claims }).setProtectedHeader(header as never).setExpirationTime("1h").encrypt(key);
    // Without a key id Auth.js takes the first secret's key: so does this.
    expect(decodeSessionToken({ token: await sealed({ alg: "dir", enc: "A256CBC-HS512" }), secret, salt })).toMatchObject(claims);
    expect(decodeSessionToken({ token: await sealed({ alg: "dir", enc: "A256CBC-HS512", kid: "another-key" }), secret, salt })).toBeNull();
    expect(decodeSessionToken({ token: await sealed({ alg: "dir", enc: "A256CBC-HS512", cty: "JWT" }), secret, salt })).toBeNull();
    // An `iat` that is not a number is refused by jose: so here.
    const oddIat = await new EncryptJWT({ ...claims, iat: "yesterday" } as never).setProtectedHeader({ alg: "dir", enc: "A256CBC-HS512" }).setExpirationTime("1h").encrypt(key);
    expect(decodeSessionToken({ token: oddIat, secret, salt })).toBeNull();
    const gcm = new Uint8Array(hkdfSync("sha256", secret, salt, `Auth.js Generated Encryption Key (${salt})`, 32));
    const gcmToken = await new EncryptJWT({ ...claims }).setProtectedHeader({ alg: "dir", enc: "A256GCM" }).setExpirationTime("1h").encrypt(gcm);
    expect(decodeSessionToken({ token: gcmToken, secret, salt })).toBeNull();
    expect(decodeSessionToken({ token: await sealed({ alg: "dir", enc: "A256CBC-HS512" }), secret: [secret], salt })).toBeNull();
  });
});
