import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { DecryptError, decryptSecret, encryptSecret, keyIdOf, makeKeyring } from "./secrets";

const k1 = { id: "k1", key: randomBytes(32) };
const k2 = { id: "k2", key: randomBytes(32) };

describe("secret envelope", () => {
  it("round-trips, with a fresh IV each time and no plaintext in the envelope", () => {
    const ring = makeKeyring(k1);
    const a = encryptSecret('{"token":"ghp_secret"}', ring, "reg-1");
    const b = encryptSecret('{"token":"ghp_secret"}', ring, "reg-1");
    expect(a).not.toBe(b);
    expect(a).not.toContain("ghp_secret");
    expect(keyIdOf(a)).toBe("k1");
    expect(decryptSecret(a, ring, "reg-1")).toBe('{"token":"ghp_secret"}');
  });

  it("refuses a tampered ciphertext, tag or IV", () => {
    const ring = makeKeyring(k1);
    const env = encryptSecret("hunter2-hunter2", ring, "reg-1");
    const parts = env.split(".");
    for (const i of [2, 3, 4]) {
      const bytes = Buffer.from(parts[i]!, "base64url");
      bytes[0] = bytes[0]! ^ 1;
      const tampered = [...parts];
      tampered[i] = bytes.toString("base64url");
      expect(() => decryptSecret(tampered.join("."), ring, "reg-1")).toThrow(DecryptError);
    }
  });

  it("refuses a ciphertext moved to another record", () => {
    const ring = makeKeyring(k1);
    const env = encryptSecret("secret", ring, "reg-1");
    expect(() => decryptSecret(env, ring, "reg-2")).toThrow("altered or belongs to another record");
  });

  it("decrypts with a previous key after rotation and encrypts under the new one", () => {
    const old = encryptSecret("secret", makeKeyring(k1), "reg-1");
    const rotated = makeKeyring(k2, [k1]);
    expect(decryptSecret(old, rotated, "reg-1")).toBe("secret");
    const fresh = encryptSecret("secret", rotated, "reg-1");
    expect(keyIdOf(fresh)).toBe("k2");
    expect(() => decryptSecret(fresh, makeKeyring(k1), "reg-1")).toThrow('key "k2", which is not configured');
  });
});
