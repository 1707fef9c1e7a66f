import { readFile } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { liveCheck, type LiveCheckOptions } from "@/lib/registries/live-check";
import { registryActions } from "@/lib/registries/actions";
import { teamActions } from "@/lib/teams/actions";
import { EXAMPLE_CREDENTIALS } from "@/lib/registries/examples";
import { newUser } from "./fixtures";
import { startEcrServer, type EcrServer } from "./support/ecr-server";
import { startTestRegistry, type TestRegistry } from "./support/test-registry";
import { startOpenRegistry, startTokenRegistry, type OpenRegistry, type TokenRegistry } from "./support/registry-servers";

/**
 * The live check against the real test registry and against servers that are not registries,
 * and its guard: refused addresses are refused before any connection is made.
 */

const USER = "checker";
const PASSWORD = "checker-password-0123456789";
const LOOPBACK = ["127.0.0.0/8", "::1/128"];
let registry: TestRegistry;
let ca: string;
let ecr: EcrServer;

/** A tiny HTTP server on a loopback address that counts what reaches it. */
async function server(handler: http.RequestListener, host = "127.0.0.1") {
  let hits = 0;
  const s = http.createServer((req, res) => {
    hits++;
    handler(req, res);
  });
  await new Promise<void>((resolve) => s.listen(0, host, resolve));
  const { port } = s.address() as AddressInfo;
  return {
    url: `http://${host}:${port}`,
    port,
    hits: () => hits,
    close: () => new Promise<void>((resolve) => { s.closeAllConnections(); s.close(() => resolve()); }),
  };
}

const custom = (url: string, password = PASSWORD) => ({ url, username: USER, password });
const check = (url: string, opts: LiveCheckOptions = {}, password = PASSWORD) => liveCheck("Custom", custom(url, password), opts);

beforeAll(async () => {
  registry = await startTestRegistry({ users: { [USER]: PASSWORD } });
  await registry.pushImage("team/app", "1.0");
  ca = await readFile(registry.caFile, "utf8");
  const { accessKeyId = "", secretAccessKey = "" } = EXAMPLE_CREDENTIALS.ECR;
  ecr = await startEcrServer({ accessKeyId, secretAccessKey, proxyEndpoint: "https://123456789012.dkr.ecr.eu-central-1.amazonaws.com" });
}, 60_000);

afterAll(async () => {
  await Promise.all([registry?.stop(), ecr?.close()]);
});

describe("against the real registry (htpasswd, Basic)", () => {
  const opts = () => ({ allowedNetworks: LOOPBACK, extraCa: ca });

  it("valid credentials are valid; wrong ones are invalid", async () => {
    expect(await check(registry.url, opts())).toMatchObject({ status: "valid", ok: true, message: `Valid: ${registry.host} accepted the credentials` });
    expect(await check(registry.url, opts(), "wrong-password-0123456789")).toMatchObject({ status: "invalid_credentials", ok: false, message: `${registry.host} refused these credentials` });
  });

  it("checks pull access when an image is given", async () => {
    expect(await check(registry.url, { ...opts(), image: "team/app" })).toMatchObject({ status: "valid", message: expect.stringContaining("can pull team/app") });
    expect(await check(registry.url, { ...opts(), image: "team/missing" })).toMatchObject({ status: "no_pull_access" });
  });

  it("reports a TLS certificate from an unknown CA as such", async () => {
    const r = await check(registry.url, { allowedNetworks: LOOPBACK });
    expect(r).toMatchObject({
      status: "unreachable",
      message: expect.stringMatching(/^Couldn't connect securely to localhost:\d+ — .*(unknown authority|self-signed)/),
      detail: expect.stringMatching(/^TLS error: [A-Z_]+$/),
    });
  });
});

describe("against the real registry behind a token server (Bearer)", () => {
  let tokens: TokenRegistry;
  let open: OpenRegistry;
  let tokenCa: string;
  beforeAll(async () => {
    [tokens, open] = await Promise.all([
      startTokenRegistry({ users: { alice: "alice-password-0123456789", bob: "bob-password-0123456789" }, access: { bob: ["team/other"] } }),
      startOpenRegistry(),
    ]);
    await tokens.pushImage("team/app", "1.0");
    tokenCa = await readFile(tokens.caFile, "utf8");
  }, 60_000);
  afterAll(async () => {
    await Promise.all([tokens?.stop(), open?.stop()]);
  });
  const opts = (image?: string) => ({ allowedNetworks: LOOPBACK, extraCa: tokenCa, image });
  const as = (user: string, password: string, image?: string) => liveCheck("Custom", { url: tokens.url, username: user, password }, opts(image));

  it("valid credentials get a token from the realm the registry names", async () => {
    expect(await as("alice", "alice-password-0123456789")).toMatchObject({ status: "valid", message: `Valid: ${tokens.host} issued a token for these credentials` });
    expect(tokens.tokenRequests.at(-1)).toMatchObject({ user: "alice", ok: true });
  });

  it("wrong credentials are invalid", async () => {
    expect(await as("alice", "not-alices-password-000")).toMatchObject({ status: "invalid_credentials", ok: false });
  });

  it("a valid token without pull access to the named repository is reported as such", async () => {
    expect(await as("alice", "alice-password-0123456789", "team/app")).toMatchObject({ status: "valid", message: expect.stringContaining("can pull team/app") });
    expect(tokens.tokenRequests.at(-1)?.scope).toEqual(["repository:team/app:pull"]);
    expect(await as("bob", "bob-password-0123456789", "team/app")).toMatchObject({ status: "no_pull_access", ok: false, message: expect.stringContaining("may not pull team/app") });
  });

  it("an open registry is reported as needing no authentication", async () => {
    const r = await liveCheck("Custom", custom(open.url), { allowedNetworks: LOOPBACK, extraCa: await readFile(open.caFile, "utf8") });
    expect(r).toMatchObject({ status: "no_auth_required", ok: false, message: `${open.host} needs no authentication, so the credentials were not checked` });
  });
});

describe("not a registry, or not reachable", () => {
  it("an HTML website is not a registry", async () => {
    const site = await server((_req, res) => res.writeHead(200, { "content-type": "text/html" }).end("<html><body>Welcome</body></html>"));
    try {
      expect(await check(site.url, { allowedNetworks: LOOPBACK })).toMatchObject({ status: "not_a_registry", message: expect.stringContaining("not a container registry") });
    } finally {
      await site.close();
    }
  });

  it("an open registry needs no authentication, so nothing was checked", async () => {
    const open = await server((_req, res) => res.writeHead(200, { "content-type": "application/json", "docker-distribution-api-version": "registry/2.0" }).end("{}"));
    try {
      expect(await check(open.url, { allowedNetworks: LOOPBACK })).toMatchObject({ status: "no_auth_required", ok: false, message: expect.stringContaining("needs no authentication") });
    } finally {
      await open.close();
    }
  });

  it("a closed port is refused", async () => {
    const gone = await server(() => {});
    await gone.close();
    expect(await check(gone.url, { allowedNetworks: LOOPBACK })).toMatchObject({
      status: "unreachable",
      message: `Couldn't reach ${new URL(gone.url).host} from this server — the connection was refused: nothing listens there`,
      detail: "Network error: ECONNREFUSED",
    });
  });

  it("a server that never answers times out within the 5 s bound", async () => {
    const silent = await server(() => {});
    try {
      const started = Date.now();
      const r = await check(silent.url, { allowedNetworks: LOOPBACK });
      const elapsed = Date.now() - started;
      expect(r).toMatchObject({ status: "unreachable", message: expect.stringContaining("did not answer within 5 s") });
      expect(elapsed).toBeGreaterThanOrEqual(4900);
      expect(elapsed).toBeLessThan(6500);
      expect(silent.hits()).toBe(1);
    } finally {
      await silent.close();
    }
  });

  it("caps the body it reads at 64 KiB", async () => {
    const huge = await server((_req, res) => {
      res.writeHead(200, { "content-type": "text/html" });
      res.end("x".repeat(5 * 1024 * 1024));
    });
    try {
      expect(await check(huge.url, { allowedNetworks: LOOPBACK })).toMatchObject({ status: "not_a_registry" });
    } finally {
      await huge.close();
    }
  });
});

describe("safe to offer: refused before any connection", () => {
  it("loopback addresses, IPv4 and IPv6 (metadata, private and unique-local ranges are vetted as a pure step in tests/egress.test.ts: no socket may try them)", async () => {
    for (const url of ["http://[::1]:5000", "http://127.0.0.1:5000", "http://127.8.9.10:5000"]) {
      expect(await check(url), url).toMatchObject({ status: "refused_address", ok: false, message: expect.stringContaining("EGRESS_ALLOWED_NETWORKS") });
    }
  });

  it("a host name that resolves to loopback: nothing reaches the server", async () => {
    const site = await server((_req, res) => res.writeHead(200).end("{}"));
    try {
      const r = await check(`http://localhost:${site.port}`);
      expect(r).toMatchObject({ status: "refused_address", message: expect.stringContaining("localhost resolves to") });
      expect(site.hits()).toBe(0);
    } finally {
      await site.close();
    }
  });

  it("a redirect to a private address is not followed", async () => {
    const target = await server((_req, res) => res.writeHead(200).end("{}"), "127.0.0.2");
    const redirect = await server((_req, res) => res.writeHead(302, { location: `${target.url}/v2/` }).end());
    try {
      // Only the first hop's address is allowed.
      const r = await check(redirect.url, { allowedNetworks: ["127.0.0.1/32"] });
      expect(r).toMatchObject({ status: "refused_address", message: expect.stringContaining("127.0.0.2") });
      expect(redirect.hits()).toBe(1);
      expect(target.hits()).toBe(0);
    } finally {
      await Promise.all([target.close(), redirect.close()]);
    }
  });

  it("credentials are not sent to a token realm on another site", async () => {
    const realm = await server((_req, res) => res.writeHead(200, { "content-type": "application/json" }).end('{"token":"t"}'), "127.0.0.3");
    const reg = await server((req, res) => {
      res.writeHead(401, { "www-authenticate": `Bearer realm="http://127.0.0.3:${realm.port}/token",service="registry"` }).end();
    });
    try {
      const r = await check(reg.url, { allowedNetworks: LOOPBACK });
      expect(r).toMatchObject({ status: "refused_address", message: expect.stringContaining("not part of the registry's own site") });
      expect(realm.hits()).toBe(0);
    } finally {
      await Promise.all([realm.close(), reg.close()]);
    }
  });
});

describe("ECR", () => {
  it("exchanges the key pair and reports the registry host and the token expiry, or the AWS error in plain words", async () => {
    const good = await liveCheck("ECR", { ...EXAMPLE_CREDENTIALS.ECR }, { ecrEndpoint: ecr.url, allowedNetworks: LOOPBACK });
    expect(good).toMatchObject({
      status: "valid",
      host: "123456789012.dkr.ecr.eu-central-1.amazonaws.com",
      message: "Valid: AWS issued a registry token for 123456789012.dkr.ecr.eu-central-1.amazonaws.com",
      detail: expect.stringContaining("valid until"),
    });
    expect(Date.parse(good.expiresAt!)).toBeGreaterThan(Date.now() + 11 * 3600_000);
    const bad = await liveCheck("ECR", { ...EXAMPLE_CREDENTIALS.ECR, secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYWRONGWRONG" }, { ecrEndpoint: ecr.url, allowedNetworks: LOOPBACK });
    expect(bad).toMatchObject({ status: "invalid_credentials", message: "The secret access key does not belong to this access key ID." });
  });
});

describe("through the action", () => {
  it("the 11th live check in a minute is refused with its message", async () => {
    const { session, team } = await newUser("ratelimit");
    const input = { teamSlug: team.slug, type: "Custom", credentials: custom("http://127.0.0.1:5000") };
    for (let i = 0; i < 10; i++) expect(await registryActions.test(session, input), `check ${i + 1}`).toMatchObject({ ok: true, data: { live: { status: "refused_address" } } });
    expect(await registryActions.test(session, input)).toMatchObject({ ok: false, code: "rate_limited", error: expect.stringMatching(/^At most 10 live checks a minute: try again in \d+ s$/) });
    // The structural check alone is not limited.
    expect(await registryActions.test(session, { ...input, live: false })).toMatchObject({ ok: true, data: { ok: true } });
  });

  it("parallel checks cannot slip past the limit", async () => {
    const { session, team } = await newUser("ratelimit-parallel");
    const input = { teamSlug: team.slug, type: "Custom", credentials: custom("http://127.0.0.1:5000") };
    const results = await Promise.all(Array.from({ length: 15 }, () => registryActions.test(session, input)));
    expect(results.filter((r) => r.ok)).toHaveLength(10);
    expect(results.filter((r) => !r.ok && r.code === "rate_limited")).toHaveLength(5);
  });

  it("a saved secret is only sent to the address it was saved for", async () => {
    const owner = await newUser("secret-owner");
    const member = await newUser("secret-member");
    await teamActions.addMember(owner.session, { teamSlug: owner.team.slug, email: member.user.email, role: "member" });
    const saved = await registryActions.create(owner.session, { teamSlug: owner.team.slug, name: "ours", type: "Custom", credentials: custom("https://registry.example.com:5000") });
    if (!saved.ok) throw new Error("setup");
    const thief = await server((_req, res) => res.writeHead(401, { "www-authenticate": 'Basic realm="x"' }).end());
    try {
      const redirect = { teamSlug: owner.team.slug, registryId: saved.data.registryId, credentials: { url: thief.url } };
      // A member may not test edits of someone else's registry at all.
      expect(await registryActions.test(member.session, redirect)).toMatchObject({ ok: false, code: "forbidden" });
      // Its owner may, but must type the password again for a new address.
      const r = await registryActions.test(owner.session, redirect);
      expect(r).toMatchObject({ ok: true, data: { ok: false, fieldErrors: { "credentials.password": [expect.stringContaining("Enter the password again")] } } });
      expect(await registryActions.update(owner.session, redirect)).toMatchObject({ ok: false, fieldErrors: { "credentials.password": [expect.any(String)] } });
      expect(thief.hits()).toBe(0);
    } finally {
      await thief.close();
    }
  });
});
