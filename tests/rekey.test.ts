import "./support/allow-loopback";
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { db } from "@/db";
import { environments, registries } from "@/db/schema";
import { containerActions } from "@/lib/containers/actions";
import { environmentActions } from "@/lib/environments/actions";
import { environmentAad } from "@/lib/environments/connection";
import { decryptSecret, makeKeyring } from "@/lib/crypto/secrets";
import { credentialsKeyring } from "@/lib/crypto/keyring";
import { env } from "@/lib/env";
import { registryActions } from "@/lib/registries/actions";
import { exampleInput, EXAMPLE_CREDENTIALS } from "@/lib/registries/examples";
import { reencryptAll } from "@/lib/registries/rekey";
import { applyRotation } from "@/lib/registries/rollout";
import { aad, loadRow } from "@/lib/registries/service";
import { newUser } from "./fixtures";
import { startKubeServer } from "./support/kube-server";

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

  it("an environment the rekey moved to the current key keeps taking Apply now; its decryption held in memory never outlives its key", async () => {
    const kube = await startKubeServer();
    // The server's own configuration, changed as an operator would between restarts.
    const keys = env();
    const configured = { credentialsKeyId: keys.credentialsKeyId, credentialsKey: keys.credentialsKey, previousCredentialsKeys: keys.previousCredentialsKeys };
    const older = { id: "k-older", key: randomBytes(32) };
    try {
      const { session, user, team } = await newUser("rekey-apply");
      const host = new URL(kube.url).host;
      const reg = await registryActions.create(session, { teamSlug: team.slug, name: "rekey apply", type: "Custom", credentials: { url: kube.url, username: "deployer", password: "rekey-password-0123" } });
      // The environment was saved while the older key was current.
      Object.assign(keys, { credentialsKeyId: older.id, credentialsKey: older.key });
      const slug = `rk-${randomBytes(4).toString("hex")}`;
      const created = await environmentActions.create(session, { teamSlug: team.slug, name: "rekey apply", slug, orchestrator: "kubernetes", kubeconfig: kube.kubeconfigYaml() });
      // Then the key rotation began: a new current key, the older one still configured to read with.
      Object.assign(keys, { ...configured, previousCredentialsKeys: [older] });
      if (!reg.ok || !created.ok) throw new Error(JSON.stringify([reg, created]));
      const environmentId = created.data.environmentId;
      const ctr = await containerActions.create(session, { teamSlug: team.slug, environmentId, name: "app", registryId: reg.data.registryId, imageName: `${host}/team/app`, imageTag: "1.0", replicas: 1, port: null });
      if (!ctr.ok) throw new Error(JSON.stringify(ctr));
      const apply = async () => (await applyRotation(team, user, await loadRow(team.id, reg.data.registryId))).apply;
      const secretVersion = () => kube.get("secrets", `env-${slug}`, `custom-${reg.data.registryId}-creds`)?.metadata.resourceVersion;

      expect(await apply()).toMatchObject({ done: 1, failed: [] });
      const first = secretVersion();
      expect(first).toBeDefined();

      // The older key dropped before the rekey ran: the environment cannot be read, though it was decrypted a moment ago.
      keys.previousCredentialsKeys = [];
      await expect(apply()).rejects.toThrow(/"k-older", which is not configured/);

      // The rekey (npm run credentials:rekey) with the older key configured moves it; then the older key can go.
      keys.previousCredentialsKeys = [older];
      await reencryptAll(credentialsKeyring());
      keys.previousCredentialsKeys = [];
      const [row] = await db().select().from(environments).where(eq(environments.id, environmentId));
      expect(row?.keyId).toBe(configured.credentialsKeyId);
      expect(await apply()).toMatchObject({ done: 1, failed: [] });
      expect(secretVersion()).not.toBe(first);
    } finally {
      Object.assign(keys, configured);
      await kube.close();
    }
  });
});
