import "server-only";
import { and, eq, isNotNull, isNull, ne, or } from "drizzle-orm";
import { db } from "@/db";
import { environments, registries } from "@/db/schema";
import { decryptSecret, encryptSecret, type Keyring } from "@/lib/crypto/secrets";
import { aad as registryAad } from "./service";
import { environmentAad } from "@/lib/environments/connection";

/** Tables whose secrets are AES-256-GCM envelopes bound to `<kind>:<teamId>:<id>`. */
const ENCRYPTED = [
  { table: registries, aad: registryAad },
  { table: environments, aad: environmentAad },
] as const;

/**
 * Re-encrypts every stored secret (registry credentials, environment kubeconfigs and keys) that
 * is not under the keyring's current key. Each row is rewritten only if it still holds the
 * ciphertext that was read, so a concurrent rotation is never overwritten. Returns how many moved.
 */
export async function reencryptAll(keyring: Keyring, batchSize = 200): Promise<{ reencrypted: number }> {
  let reencrypted = 0;
  for (const { table, aad } of ENCRYPTED) {
    for (;;) {
      const batch = await db()
        .select({ id: table.id, teamId: table.teamId, secretCiphertext: table.secretCiphertext })
        .from(table)
        .where(and(isNotNull(table.secretCiphertext), or(isNull(table.keyId), ne(table.keyId, keyring.currentId))))
        .limit(batchSize);
      if (batch.length === 0) break;
      for (const row of batch) {
        const plaintext = decryptSecret(row.secretCiphertext!, keyring, aad(row));
        const moved = await db()
          .update(table)
          .set({ secretCiphertext: encryptSecret(plaintext, keyring, aad(row)), keyId: keyring.currentId })
          .where(and(eq(table.id, row.id), eq(table.secretCiphertext, row.secretCiphertext!)))
          .returning({ id: table.id });
        reencrypted += moved.length;
      }
    }
  }
  return { reencrypted };
}
