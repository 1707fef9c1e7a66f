import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

/**
 * AES-256-GCM envelope for secrets at rest: `v1.<keyId>.<iv>.<ciphertext>.<tag>` (base64url parts).
 * The key id travels with the ciphertext so an old key can still decrypt while everything is
 * re-encrypted under a new one. The associated data binds a ciphertext to its row: moved to
 * another registry it no longer decrypts.
 */

export type Keyring = { currentId: string; keys: ReadonlyMap<string, Buffer> };

export class DecryptError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DecryptError";
  }
}

export function makeKeyring(current: { id: string; key: Buffer }, previous: { id: string; key: Buffer }[] = []): Keyring {
  const keys = new Map<string, Buffer>();
  for (const k of [...previous, current]) {
    if (k.key.length !== 32) throw new Error(`key ${k.id} must be 32 bytes`);
    keys.set(k.id, k.key);
  }
  return { currentId: current.id, keys };
}

export function encryptSecret(plaintext: string, keyring: Keyring, aad: string): string {
  const key = keyring.keys.get(keyring.currentId)!;
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(Buffer.from(aad, "utf8"));
  const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  const tag = cipher.getAuthTag();
  return ["v1", keyring.currentId, iv.toString("base64url"), ciphertext.toString("base64url"), tag.toString("base64url")].join(".");
}

export function keyIdOf(envelope: string): string | undefined {
  const parts = envelope.split(".");
  return parts.length === 5 && parts[0] === "v1" ? parts[1] : undefined;
}

export function decryptSecret(envelope: string, keyring: Keyring, aad: string): string {
  const parts = envelope.split(".");
  if (parts.length !== 5 || parts[0] !== "v1") throw new DecryptError("not an encrypted secret");
  const [, keyId, iv, ciphertext, tag] = parts as [string, string, string, string, string];
  const key = keyring.keys.get(keyId);
  if (!key) throw new DecryptError(`encrypted with key "${keyId}", which is not configured`);
  try {
    const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"));
    decipher.setAAD(Buffer.from(aad, "utf8"));
    decipher.setAuthTag(Buffer.from(tag, "base64url"));
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, "base64url")), decipher.final()]).toString("utf8");
  } catch {
    throw new DecryptError("the secret was altered or belongs to another record");
  }
}
