import "server-only";
import { env } from "@/lib/env";
import { makeKeyring, type Keyring } from "./secrets";

/** The credential keyring from the validated environment: the current key plus any previous ones. */
export function credentialsKeyring(): Keyring {
  const e = env();
  return makeKeyring({ id: e.credentialsKeyId, key: e.credentialsKey }, e.previousCredentialsKeys);
}
