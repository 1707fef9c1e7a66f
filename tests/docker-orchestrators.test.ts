import "./support/allow-loopback";
import { existsSync, statSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { applyDeploy, previewDeploy, type DeploySpec, type DeployTarget } from "@/lib/deploy";
import type { CommandRunner, RunOptions } from "@/lib/deploy/command";
import { DockerError } from "@/lib/deploy/docker";
import { parseImage } from "@/lib/registries/image-ref";
import { egressPolicy } from "@/lib/egress";

/** Swarm cannot run here (podman has no Swarm mode): the exact CLI calls are the contract. */

type Call = { command: string; args: string[]; opts: RunOptions; configMode?: number };

function recordingRunner(answer: (args: string[]) => { code: number; stdout?: string; stderr?: string } = () => ({ code: 0 })) {
  const calls: Call[] = [];
  const runner: CommandRunner = async (command, args, opts) => {
    const configDir = opts.env.DOCKER_CONFIG!;
    calls.push({ command, args, opts, configMode: existsSync(configDir) ? statSync(configDir).mode & 0o777 : undefined });
    const a = answer(args);
    return { code: a.code, stdout: a.stdout ?? "", stderr: a.stderr ?? "" };
  };
  return { calls, runner };
}

const PASSWORD = "s3cret-registry-password";
const ref = (name: string, tag: string) => {
  const r = parseImage(name, tag);
  if (!r.ok) throw new Error(r.message);
  return r.ref;
};

function spec(overrides: Partial<DeploySpec> = {}): DeploySpec {
  return {
    action: "deploy",
    environment: { id: "env-aaaaaaaaaaaa", slug: "prod" },
    container: { id: "ctr-bbbbbbbbbbbb", name: "api", replicas: 2, port: 8080, restartedAt: null },
    image: ref("registry.example.com:5000/team/api", "1.4"),
    registry: { id: "reg-cccccccccccc", type: "Custom", name: "ours", credentialVersion: 3 },
    credentials: { username: "deployer", password: PASSWORD, serverKeys: ["registry.example.com:5000"] },
    ...overrides,
  };
}

/**
 * Names resolve through a stand-in resolver to a documentation address (192.0.2.0/24) the policy
 * allows: the runner records the calls, so nothing ever connects there.
 */
const policy = egressPolicy(["192.0.2.0/24"], {
  resolve: async (host) => {
    if (host === "manager.example.com") return [{ address: "192.0.2.10", family: 4 }];
    throw Object.assign(new Error(`${host} does not resolve`), { code: "ENOTFOUND" });
  },
});

const swarm: DeployTarget = { orchestrator: "swarm", docker: { dockerHost: "ssh://deploy@manager.example.com", sshPrivateKey: "-----BEGIN OPENSSH PRIVATE KEY-----\nAAAAkeymaterialkeymaterial\n-----END OPENSSH PRIVATE KEY-----" } };
const compose: DeployTarget = { orchestrator: "compose", docker: { dockerHost: "unix:///var/run/docker.sock" } };

function assertNoSecretOutsideStdin(calls: Call[]) {
  for (const c of calls) {
    expect(c.args.join(" ")).not.toContain(PASSWORD);
    expect(JSON.stringify(c.opts.env)).not.toContain(PASSWORD);
    // Nothing of the server's own environment leaks into the child.
    expect(Object.keys(c.opts.env).sort()).toEqual(expect.arrayContaining(["DOCKER_CONFIG", "DOCKER_HOST", "HOME", "PATH"]));
    expect(c.opts.env).not.toHaveProperty("CREDENTIALS_KEY");
    expect(c.opts.env).not.toHaveProperty("DATABASE_URL");
  }
}

describe("Docker Swarm", () => {
  it("logs in with the password on stdin into a private config dir, then creates the service with registry auth", async () => {
    const { calls, runner } = recordingRunner((args) => (args.includes("inspect") ? { code: 1, stderr: "no such service" } : { code: 0 }));
    const log: string[] = [];
    await applyDeploy(swarm, spec(), { runner, dockerCli: "docker", policy }, (l) => log.push(l));
    const configDir = calls[0]!.opts.env.DOCKER_CONFIG!;
    expect(calls.map((c) => c.args.slice(2))).toEqual([
      ["login", "--username", "deployer", "--password-stdin", "registry.example.com:5000"],
      ["service", "inspect", "--format", "{{.ID}}", "prod_api"],
      ["service", "create", "--with-registry-auth", "--name", "prod_api", "--replicas", "2", "--label", "dockyard.dev/container-id=ctr-bbbbbbbbbbbb", "--publish", "published=8080,target=8080", "registry.example.com:5000/team/api:1.4"],
    ]);
    for (const c of calls) {
      expect(c.command).toBe("docker");
      expect(c.args.slice(0, 2)).toEqual(["--config", configDir]);
      expect(c.configMode).toBe(0o700);
      // The CLI gets the address the egress policy vetted, never the name to resolve again.
      expect(c.opts.env.DOCKER_HOST).toBe("ssh://deploy@192.0.2.10");
    }
    expect(calls[0]!.opts.stdin).toBe(PASSWORD);
    expect(calls.slice(1).every((c) => !c.opts.stdin)).toBe(true);
    assertNoSecretOutsideStdin(calls);
    expect(existsSync(configDir)).toBe(false);
    expect(log.join("\n")).not.toContain(PASSWORD);
  });

  it("updates an existing service; a restart forces new tasks", async () => {
    const { calls, runner } = recordingRunner();
    await applyDeploy(swarm, spec({ action: "restart" }), { runner, policy }, () => {});
    expect(calls.at(-1)!.args.slice(2)).toEqual(["service", "update", "--with-registry-auth", "--image", "registry.example.com:5000/team/api:1.4", "--replicas", "2", "--force", "prod_api"]);
  });

  it("a public image: no login, no registry auth", async () => {
    const { calls, runner } = recordingRunner();
    await applyDeploy(swarm, spec({ image: ref("nginx", "1.27"), registry: null, credentials: null }), { runner, policy }, () => {});
    expect(calls.map((c) => c.args[2])).toEqual(["service", "service"]);
    expect(calls.at(-1)!.args).not.toContain("--with-registry-auth");
  });

  it("a refused login fails the deploy with the CLI's reason, redacted, and still removes the config dir", async () => {
    const { calls, runner } = recordingRunner((args) =>
      args.includes("login") ? { code: 1, stderr: `Error response from daemon: login attempt with password ${PASSWORD} failed: unauthorized` } : { code: 0 },
    );
    const err = await applyDeploy(swarm, spec(), { runner, policy }, () => {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DockerError);
    expect((err as DockerError).message).toContain("unauthorized");
    expect((err as DockerError).message).not.toContain(PASSWORD);
    expect(calls).toHaveLength(1);
    expect(existsSync(calls[0]!.opts.env.DOCKER_CONFIG!)).toBe(false);
  });

  it("gives ssh a private HOME with only the environment's key", async () => {
    let sshConfig = "";
    const runner: CommandRunner = async (_cmd, _args, opts) => {
      const { readFileSync } = await import("node:fs");
      sshConfig = readFileSync(`${opts.env.HOME}/.ssh/config`, "utf8");
      expect(statSync(`${opts.env.HOME}/.ssh/id_dockyard`).mode & 0o777).toBe(0o600);
      return { code: 0, stdout: "", stderr: "" };
    };
    await applyDeploy(swarm, spec(), { runner, policy }, () => {});
    expect(sshConfig).toContain("IdentitiesOnly yes");
    // Host keys are known by the name the user typed, and trusted on first use only.
    expect(sshConfig).toContain("HostKeyAlias manager.example.com");
    expect(sshConfig).toContain("StrictHostKeyChecking accept-new");
  });
});

describe("Docker Compose", () => {
  it("logs in, writes the compose file, pulls and starts with the plugin", async () => {
    const { calls, runner } = recordingRunner();
    await applyDeploy(compose, spec(), { runner, policy }, () => {});
    expect(calls.map((c) => c.args.slice(2, 4))).toEqual([
      ["login", "--username"],
      ["compose", "version"],
      ["compose", "-p"],
      ["pull", "--quiet"],
      ["compose", "-p"],
    ]);
    expect(calls[2]!.args.slice(-2)).toEqual(["pull", "api"]);
    expect(calls[3]!.args.at(-1)).toBe("registry.example.com:5000/team/api:1.4");
    expect(calls[4]!.args.slice(-6)).toEqual(["up", "-d", "--no-build", "--scale", "api=2", "api"]);
    assertNoSecretOutsideStdin(calls);
  });

  it("falls back to docker-compose when the plugin is missing, with DOCKER_CONFIG pointing at the login", async () => {
    const { calls, runner } = recordingRunner((args) => (args[2] === "compose" ? { code: 1, stderr: "docker: 'compose' is not a docker command." } : { code: 0 }));
    await applyDeploy(compose, spec(), { runner, policy }, () => {});
    const standalone = calls.filter((c) => c.command === "docker-compose");
    expect(standalone.map((c) => c.args.at(-2) === "pull" || c.args.includes("up"))).toEqual([true, true]);
    expect(standalone[0]!.opts.env.DOCKER_CONFIG).toBe(calls[0]!.opts.env.DOCKER_CONFIG);
    assertNoSecretOutsideStdin(calls);
  });
});

describe("preview", () => {
  it("shows the docker commands with the password as ****", () => {
    const [part] = previewDeploy(swarm, spec(), { serviceExists: true });
    expect(part!.body).toContain("echo **** | docker login --username deployer --password-stdin registry.example.com:5000");
    expect(part!.body).toContain("docker service update --with-registry-auth");
    expect(part!.body).not.toContain(PASSWORD);
  });

  it("shows the Secret with .dockerconfigjson redacted and the Deployment naming it", () => {
    const parts = previewDeploy({ orchestrator: "kubernetes", kube: { kubeconfig: "x" } }, spec());
    const text = parts.map((p) => p.body).join("\n");
    expect(parts.map((p) => p.title)).toEqual(["Namespace (created if missing)", "Pull secret", "Deployment"]);
    expect(text).toContain("kubernetes.io/dockerconfigjson");
    expect(text).toContain("<redacted: registry.example.com:5000>");
    expect(text).toContain("name: custom-reg-cccccccccccc-creds");
    expect(text).not.toContain(Buffer.from(PASSWORD).toString("base64"));
    expect(text).not.toContain(PASSWORD);
  });

  it("a public image has no Secret and no imagePullSecrets", () => {
    const parts = previewDeploy({ orchestrator: "kubernetes", kube: { kubeconfig: "x" } }, spec({ image: ref("nginx", "1.27"), registry: null, credentials: null }));
    expect(parts.map((p) => p.title)).toEqual(["Namespace (created if missing)", "Deployment"]);
    expect(parts.at(-1)!.body).not.toContain("imagePullSecrets");
  });
});
