import "./support/allow-loopback";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { connect, createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { db } from "@/db";
import { environments } from "@/db/schema";
import { environmentActions } from "@/lib/environments/actions";
import { runDeployment } from "@/lib/containers/deployments";
import { newUser, publicContainer } from "./fixtures";

/**
 * SSH host keys of `ssh://` Docker hosts against a real sshd on loopback: recorded on the first
 * connection, enforced afterwards, and a changed key refused in plain words. The remote `docker`
 * finds no engine here, so each deploy fails after ssh; what matters is how far ssh let it go.
 */

const dir = mkdtempSync(path.join(tmpdir(), "dockyard-sshd-"));
const keygen = (file: string) => spawnSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", file], { stdio: "ignore" });

let port = 0;
let sshd: ChildProcess | undefined;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const p = (server.address() as AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return p;
}

async function startSshd(hostKey: string) {
  sshd?.kill();
  const args = ["-D", "-e", "-f", "/dev/null", "-p", String(port), "-h", hostKey];
  for (const o of ["ListenAddress=127.0.0.1", `AuthorizedKeysFile=${path.join(dir, "authorized_keys")}`, "StrictModes=no", "UsePAM=no", "PidFile=none", "PermitRootLogin=prohibit-password"]) args.push("-o", o);
  sshd = spawn("/usr/sbin/sshd", args, { stdio: ["ignore", "ignore", "pipe"] });
  // Listening once a TCP connect succeeds.
  for (let i = 0; i < 100; i++) {
    const up = await new Promise<boolean>((resolve) => {
      const s = connect(port, "127.0.0.1");
      s.once("connect", () => (s.destroy(), resolve(true)));
      s.once("error", () => resolve(false));
    });
    if (up) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("sshd did not start");
}

let owner: Awaited<ReturnType<typeof newUser>>;
beforeAll(async () => {
  mkdirSync("/run/sshd", { recursive: true, mode: 0o755 });
  for (const name of ["host_a", "host_b", "client"]) keygen(path.join(dir, name));
  writeFileSync(path.join(dir, "authorized_keys"), readFileSync(path.join(dir, "client.pub")));
  port = await freePort();
  await startSshd(path.join(dir, "host_a"));
  owner = await newUser("ssh");
}, 30_000);

afterAll(() => {
  sshd?.kill();
});

describe("ssh:// Docker hosts", () => {
  it("records the host key on first use, accepts it again, and refuses a changed key in plain words", async () => {
    const env = await environmentActions.create(owner.session, {
      teamSlug: owner.team.slug,
      name: "swarm over ssh",
      slug: `ssh-${Date.now().toString(36)}`,
      orchestrator: "swarm",
      dockerHost: `ssh://root@127.0.0.1:${port}`,
      sshPrivateKey: readFileSync(path.join(dir, "client"), "utf8"),
    });
    if (!env.ok) throw new Error(JSON.stringify(env));
    const containerId = await publicContainer(owner, env.data.environmentId);
    const deploy = () => runDeployment(owner.team, owner.user, { containerId, action: "deploy" });
    const recorded = async () => (await db().select().from(environments).where(eq(environments.id, env.data.environmentId)))[0]!.sshKnownHosts;

    expect(await recorded()).toBeNull();
    const first = await deploy();
    expect(first.status).toBe("failed"); // no engine behind this sshd
    expect(first.message).not.toMatch(/host key/i);
    const known = await recorded();
    const hostKeyA = readFileSync(path.join(dir, "host_a.pub"), "utf8").split(" ").slice(0, 2).join(" ");
    expect(known).toContain(hostKeyA);

    const second = await deploy();
    expect(second.message).not.toMatch(/host key/i);
    expect(await recorded()).toBe(known);

    await startSshd(path.join(dir, "host_b"));
    const third = await deploy();
    expect(third).toMatchObject({ status: "failed", message: expect.stringContaining("SSH host key is not the one recorded") });
    // The recorded key is kept: a changed key never replaces it silently.
    expect(await recorded()).toBe(known);
  }, 60_000);
});
