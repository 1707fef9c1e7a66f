// Re-encrypts every saved registry secret under the current CREDENTIALS_KEY.
//
//   CREDENTIALS_KEY=<new> CREDENTIALS_KEY_ID=k2 CREDENTIALS_PREVIOUS_KEYS=k1:<old> npm run credentials:rekey
//
// Then drop CREDENTIALS_PREVIOUS_KEYS. Uses the same DATABASE_URL / DATA_DIR as the server
// (stop the server first when it runs on the embedded database: PGlite has one writer).
import { dbHandle, ensureMigrated } from "@/db";
import { credentialsKeyring } from "@/lib/crypto/keyring";
import { reencryptAll } from "@/lib/registries/rekey";

async function main() {
  await ensureMigrated();
  const keyring = credentialsKeyring();
  const { reencrypted } = await reencryptAll(keyring);
  console.log(`re-encrypted ${reencrypted} registr${reencrypted === 1 ? "y" : "ies"} under key "${keyring.currentId}"`);
  await dbHandle().close();
}

main().catch((err: Error) => {
  // The message names the key id or the row problem; it never holds a secret.
  console.error(`rekey failed: ${err.message}`);
  process.exit(1);
});
