import { beforeAll, describe, expect, it } from "vitest";
import { and, eq } from "drizzle-orm";
import { db } from "@/db";
import { auditEvents, pullSecrets } from "@/db/schema";
import { containerActions } from "@/lib/containers/actions";
import { watchPullHealth } from "@/lib/containers/watch-job";
import { environmentActions } from "@/lib/environments/actions";
import type { CommandRunner } from "@/lib/deploy/command";
import { registryActions } from "@/lib/registries/actions";
import { exampleInput } from "@/lib/registries/examples";
import { newUser } from "./fixtures";

/**
 * Swarm keeps a snapshot of the registry credentials in each service spec: when the watcher finds
 * a service deployed with an older credential version than the registry's, it logs in again and
 * updates the service with registry auth. Podman has no Swarm: the exact CLI calls are the contract.
 */

const calls: { args: string[]; stdin?: string }[] = [];
const runner: CommandRunner = async (_cmd, args, opts) => {
  calls.push({ args: args.slice(2), stdin: opts.stdin });
  // `docker service ps`: one running task, so pull health reads OK.
  if (args.includes("ps")) return { code: 0, stdout: JSON.stringify({ ID: "t1", Name: "svc.1", CurrentState: "Running 1 minute ago", DesiredState: "Running", Error: "" }) + "\n", stderr: "" };
  return { code: 0, stdout: "", stderr: "" };
};

let owner: Awaited<ReturnType<typeof newUser>>;
beforeAll(async () => {
  owner = await newUser("swarmwatch");
});

describe("Swarm drift", () => {
  it("a service holding older credentials than the registry's is logged in again and updated, once", async () => {
    const teamSlug = owner.team.slug;
    const slug = `sw-${Math.random().toString(36).slice(2, 8)}`;
    const env = await environmentActions.create(owner.session, { teamSlug, name: slug, slug, orchestrator: "swarm", dockerHost: "unix:///var/run/docker.sock" });
    const reg = await registryActions.create(owner.session, { teamSlug, ...exampleInput("GHCR", "github") });
    if (!env.ok || !reg.ok) throw new Error(JSON.stringify([env, reg]));
    const ctr = await containerActions.create(owner.session, {
      teamSlug,
      environmentId: env.data.environmentId,
      name: "api",
      registryId: reg.data.registryId,
      imageName: "ghcr.io/acme/api",
      imageTag: "1",
      replicas: 1,
      port: null,
    });
    if (!ctr.ok) throw new Error(JSON.stringify(ctr));
    // What a deploy at version 1 recorded: the service and the server it logged in to.
    await db().insert(pullSecrets).values({ registryId: reg.data.registryId, environmentId: env.data.environmentId, teamId: owner.team.id, orchestrator: "swarm", namespace: "ghcr.io", secretName: `${slug}_api`, credentialVersion: 1 });
    const rotated = await registryActions.update(owner.session, { teamSlug, registryId: reg.data.registryId, credentials: { token: "ghp_" + "b".repeat(36) } });
    expect(rotated).toMatchObject({ ok: true, data: { credentialVersion: 2 } });

    const run = await watchPullHealth({ runner, now: new Date(Date.now() + 3600_000) });
    expect(run.repaired).toBe(1);
    const login = calls.find((c) => c.args[0] === "login");
    expect(login?.args).toEqual(["login", "--username", expect.any(String), "--password-stdin", "ghcr.io"]);
    expect(login?.stdin).toBe("ghp_" + "b".repeat(36));
    expect(calls.some((c) => c.args.join(" ") === `service update --with-registry-auth --detach ${slug}_api`)).toBe(true);
    const [place] = await db().select().from(pullSecrets).where(and(eq(pullSecrets.registryId, reg.data.registryId), eq(pullSecrets.environmentId, env.data.environmentId)));
    expect(place!.credentialVersion).toBe(2);
    const audits = await db().select().from(auditEvents).where(and(eq(auditEvents.registryId, reg.data.registryId), eq(auditEvents.action, "registry.drift_repaired")));
    expect(audits.map((a) => (a.details as { what: string }).what)).toEqual([`Swarm service ${slug}_api held credentials v1; updated to v2`]);

    calls.length = 0;
    expect((await watchPullHealth({ runner, now: new Date(Date.now() + 7200_000) })).repaired).toBe(0);
    expect(calls.some((c) => c.args[0] === "login")).toBe(false);
  });
});
