import "server-only";
import { and, eq, isNotNull, isNull, ne, or } from "drizzle-orm";
import { db } from "@/db";
import { registries } from "@/db/schema";
import { decryptSecret, encryptSecret, type Keyring } from "@/lib/crypto/secrets";
import { aad } from "./service";

/**
 * Re-encrypts every stored secret that is not under the keyring's current key. Each row is
 * rewritten only if it still holds the ciphertext that was read, so a concurrent rotation of
 * that registry's credentials is never overwritten. Returns how many rows moved.
 */
export async function reencryptAll(keyring: Keyring, batchSize = 200): Promise<{ reencrypted: number }> {
  let reencrypted = 0;
  for (;;) {
    const batch = await db()
      .select({ id: registries.id, teamId: registries.teamId, secretCiphertext: registries.secretCiphertext })
      .from(registries)
      .where(and(isNotNull(registries.secretCiphertext), or(isNull(registries.keyId), ne(registries.keyId, keyring.currentId))))
      .limit(batchSize);
    if (batch.length === 0) return { reencrypted };
    for (const row of batch) {
      const plaintext = decryptSecret(row.secretCiphertext!, keyring, aad(row));
      const moved = await db()
        .update(registries)
        .set({ secretCiphertext: encryptSecret(plaintext, keyring, aad(row)), keyId: keyring.currentId })
        .where(and(eq(registries.id, row.id), eq(registries.secretCiphertext, row.secretCiphertext!)))
        .returning({ id: registries.id });
      reencrypted += moved.length;
    }
  }
}
