import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { db } from "@/db";
import { environments, registries } from "@/db/schema";
import { environmentActions } from "@/lib/environments/actions";
import { environmentAad } from "@/lib/environments/connection";
import { decryptSecret, makeKeyring } from "@/lib/crypto/secrets";
import { credentialsKeyring } from "@/lib/crypto/keyring";
import { registryActions } from "@/lib/registries/actions";
import { exampleInput, EXAMPLE_CREDENTIALS } from "@/lib/registries/examples";
import { reencryptAll } from "@/lib/registries/rekey";
import { aad } from "@/lib/registries/service";
import { newUser } from "./fixtures";

describe("credential key rotation", () => {
  it("re-encrypts every secret under the new key; the old key alone can no longer read them", async () => {
    const { session, team } = await newUser("rekey");
    const ids: string[] = [];
    for (const type of ["GHCR", "GCR", "Custom"] as const) {
      const r = await registryActions.create(session, { teamSlug: team.slug, ...exampleInput(type) });
      if (!r.ok) throw new Error("setup");
      ids.push(r.data.registryId);
    }
    const sshKey = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----";
    const env = await environmentActions.create(session, { teamSlug: team.slug, name: "swarm", slug: `rk-${randomBytes(4).toString("hex")}`, orchestrator: "swarm", dockerHost: "ssh://deploy@node", sshPrivateKey: sshKey });
    if (!env.ok) throw new Error("setup");
    const old = credentialsKeyring();
    const next = makeKeyring({ id: "k-next", key: randomBytes(32) }, [{ id: old.currentId, key: old.keys.get(old.currentId)! }]);
    const { reencrypted } = await reencryptAll(next);
    expect(reencrypted).toBeGreaterThanOrEqual(3);
    for (const id of ids) {
      const [row] = await db().select().from(registries).where(eq(registries.id, id));
      expect(row?.keyId).toBe("k-next");
      const plain = JSON.parse(decryptSecret(row!.secretCiphertext!, makeKeyring({ id: "k-next", key: next.keys.get("k-next")! }), aad(row!)));
      expect(Object.values(plain)).toContain(Object.values(EXAMPLE_CREDENTIALS[row!.type as "GHCR"]).at(-1));
      expect(() => decryptSecret(row!.secretCiphertext!, old, aad(row!))).toThrow(/not configured/);
    }
    const [envRow] = await db().select().from(environments).where(eq(environments.id, env.data.environmentId));
    expect(envRow?.keyId).toBe("k-next");
    expect(JSON.parse(decryptSecret(envRow!.secretCiphertext!, next, environmentAad(envRow!)))).toEqual({ sshPrivateKey: sshKey });
    // A second run has nothing left to move.
    expect(await reencryptAll(next)).toEqual({ reencrypted: 0 });
    // Put the run's rows back under the test key, so other tests keep reading them.
    await reencryptAll(makeKeyring({ id: old.currentId, key: old.keys.get(old.currentId)! }, [{ id: "k-next", key: next.keys.get("k-next")! }]));
  });
});
