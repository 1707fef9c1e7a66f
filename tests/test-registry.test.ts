import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPodmanEngine, withoutDockerEnv, type PodmanEngine } from "@/tests/support/podman-engine";
import { authfileJson, startTestRegistry, type TestRegistry } from "@/tests/support/test-registry";

// One registry and one engine for the whole file: starting them is the slow part.
let registry: TestRegistry | undefined;
let engine: PodmanEngine | undefined;
let scratchDir: string | undefined;

beforeAll(async () => {
  scratchDir = await mkdtemp(path.join(tmpdir(), "test-registry-test-"));
  // Both start in parallel. Each is kept as soon as it is up, and both are waited for, so that
  // afterAll stops the one that started even when the other failed.
  const results = await Promise.allSettled([
    startTestRegistry({ users: { alice: "alice-pw", bob: "bob-pw" } }).then((value) => (registry = value)),
    startPodmanEngine().then((value) => (engine = value)),
  ]);
  for (const result of results) if (result.status === "rejected") throw result.reason;
});

afterAll(async () => {
  // allSettled: one failing stop must not leave the other process running.
  await Promise.allSettled([engine?.stop(), registry?.stop()]);
  if (scratchDir) await rm(scratchDir, { recursive: true, force: true });
});

function started() {
  if (!registry || !engine || !scratchDir) throw new Error("beforeAll did not finish");
  return { registry, engine, scratchDir };
}

async function writeAuthfile(user: string, password: string): Promise<string> {
  const { registry, scratchDir } = started();
  const dir = await mkdtemp(path.join(scratchDir, "auth-"));
  const file = path.join(dir, "auth.json");
  await writeFile(file, authfileJson(registry.host, user, password), { mode: 0o600 });
  return file;
}

describe("test registry (skopeo)", () => {
  let image: string;
  let digest: string;

  beforeAll(async () => {
    const { registry } = started();
    digest = await registry.pushImage("skopeo/app", "v1");
    image = `${registry.host}/skopeo/app:v1`;
  });

  it("serves TLS with basic auth on localhost", () => {
    const { registry } = started();
    expect(registry.host).toMatch(/^localhost:\d+$/);
    expect(registry.url).toBe(`https://${registry.host}`);
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it("lets a user with the right password inspect the pushed image, and no one else", async () => {
    const { registry } = started();
    expect(await registry.inspectWithAuthfile(image, await writeAuthfile("alice", "alice-pw"))).toEqual({ ok: true, stderr: "" });

    const wrong = await registry.inspectWithAuthfile(image, await writeAuthfile("alice", "not-alice-pw"));
    expect(wrong.ok).toBe(false);
    expect(wrong.stderr).toMatch(/unauthorized|authentication required/);

    expect((await registry.inspectWithAuthfile(image, await writeAuthfile("mallory", "alice-pw"))).ok).toBe(false);
  });

  it("refuses a removed user's credentials on the next request", async () => {
    const { registry } = started();
    const authfile = await writeAuthfile("alice", "alice-pw");
    expect((await registry.inspectWithAuthfile(image, authfile)).ok).toBe(true);
    await registry.removeUser("alice");
    const after = await registry.inspectWithAuthfile(image, authfile);
    expect(after.ok).toBe(false);
    expect(after.stderr).toMatch(/unauthorized|authentication required/);
  });

  it("accepts a new user and a changed password on the next request", async () => {
    const { registry } = started();
    await registry.setUser("carol", "first");
    expect((await registry.inspectWithAuthfile(image, await writeAuthfile("carol", "first"))).ok).toBe(true);
    await registry.setUser("carol", "second");
    expect((await registry.inspectWithAuthfile(image, await writeAuthfile("carol", "second"))).ok).toBe(true);
    expect((await registry.inspectWithAuthfile(image, await writeAuthfile("carol", "first"))).ok).toBe(false);
  });
});

interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(cmd: string, args: string[], opts: { env?: Record<string, string>; input?: string } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: { ...withoutDockerEnv(process.env), ...opts.env }, timeout: 30_000 });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(opts.input ?? "");
  });
}

describe("Docker CLI and docker-compose through the podman engine", () => {
  let image: string;

  beforeAll(async () => {
    const { registry } = started();
    await registry.pushImage("docker/app", "v1");
    image = `${registry.host}/docker/app:v1`;
  });

  /** A new, empty Docker CLI config dir (mkdtemp creates it with mode 0700). */
  const freshConfig = () => mkdtemp(path.join(started().scratchDir, "docker-config-"));

  // DOCKER_HOST points every command at podman: login and pull are done by the engine.
  const docker = (config: string, args: string[], input?: string) =>
    run("docker", ["--config", config, ...args], { env: { DOCKER_HOST: started().engine.dockerHost }, input });

  const login = (config: string, user: string, password: string) =>
    docker(config, ["login", "--username", user, "--password-stdin", started().registry.host], password);

  const hasImage = async (config: string) => (await docker(config, ["image", "inspect", image])).code === 0;

  const removeImage = async (config: string) => {
    await docker(config, ["rmi", "--force", image]);
    expect(await hasImage(config)).toBe(false);
  };

  /** User agents of the authenticated `GET /v2/` requests in the registry's access log. */
  const authenticatedV2UserAgents = async () => {
    const log = await readFile(started().registry.logFile, "utf8");
    return [...log.matchAll(/"GET \/v2\/ HTTP\/[\d.]+" 200 \d+ "[^"]*" "([^"]*)"/g)].map((m) => m[1]);
  };

  it("logs in with the right password only, the engine checking it against the registry", async () => {
    const wrongConfig = await freshConfig();
    const wrong = await login(wrongConfig, "bob", "not-bob-pw");
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toContain("Error response from daemon");
    expect(wrong.stderr).toContain("401 Unauthorized");

    const config = await freshConfig();
    const right = await login(config, "bob", "bob-pw");
    expect(right.stdout).toContain("Login Succeeded");
    expect(right.code).toBe(0);
    const saved = JSON.parse(await readFile(path.join(config, "config.json"), "utf8"));
    expect(saved.auths[started().registry.host].auth).toBe(Buffer.from("bob:bob-pw").toString("base64"));

    // The CLI would verify the password itself only if the engine were unreachable, and it would
    // then succeed too (Docker trusts localhost registries without checking TLS). The registry's
    // log tells the two apart: podman's requests come from containers/image, the CLI's from
    // Docker-Client.
    const agents = await authenticatedV2UserAgents();
    expect(agents.some((agent) => agent?.startsWith("containers/"))).toBe(true);
    expect(agents.some((agent) => agent?.includes("Docker-Client"))).toBe(false);
  });

  it("pulls after login and is refused without it", async () => {
    const anonymous = await freshConfig();
    const refused = await docker(anonymous, ["pull", image]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/unauthorized|authentication required/);
    expect(await hasImage(anonymous)).toBe(false);

    const config = await freshConfig();
    expect((await login(config, "bob", "bob-pw")).code).toBe(0);
    const pulled = await docker(config, ["pull", image]);
    expect(pulled.code).toBe(0);
    expect(pulled.stdout).toContain(image);
    expect(await hasImage(config)).toBe(true);
    await removeImage(config);
  });

  it("lets docker-compose pull with the login's config dir", async () => {
    const { scratchDir } = started();
    const projectDir = await mkdtemp(path.join(scratchDir, "compose-"));
    const composeFile = path.join(projectDir, "compose.yml");
    await writeFile(composeFile, `services:\n  app:\n    image: ${JSON.stringify(image)}\n`);
    // Debian's docker-compose is v1 (Python): it has no --config flag and reads DOCKER_CONFIG.
    const composePull = (config: string) =>
      run("docker-compose", ["--file", composeFile, "pull"], { env: { DOCKER_HOST: started().engine.dockerHost, DOCKER_CONFIG: config } });

    const config = await freshConfig();
    expect((await login(config, "bob", "bob-pw")).code).toBe(0);
    const pulled = await composePull(config);
    expect(pulled.code, pulled.stderr).toBe(0);
    expect(await hasImage(config)).toBe(true);
    await removeImage(config);

    // compose v1 exits 0 even when this pull is refused: podman's error events carry an empty
    // "progressDetail", which compose takes for progress and skips. Only the image's absence shows it.
    await composePull(await freshConfig());
    expect(await hasImage(config)).toBe(false);
  });

  it("refuses a removed user's existing login and new logins", async () => {
    const { registry } = started();
    const config = await freshConfig();
    expect((await login(config, "bob", "bob-pw")).code).toBe(0);

    await registry.removeUser("bob");

    const pull = await docker(config, ["pull", image]);
    expect(pull.code).not.toBe(0);
    expect(pull.stderr).toMatch(/unauthorized|authentication required/);
    expect(await hasImage(config)).toBe(false);
    expect((await login(await freshConfig(), "bob", "bob-pw")).code).not.toBe(0);
  });
});
