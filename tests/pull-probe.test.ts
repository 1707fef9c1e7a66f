import { readFile } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { probeImages, probeLabel } from "@/lib/registries/pull-probe";
import { EXAMPLE_CREDENTIALS } from "@/lib/registries/examples";
import { startEcrServer, type EcrServer } from "./support/ecr-server";
import { startSilentServer, startTokenRegistry, type TokenRegistry } from "./support/registry-servers";
import { startTestRegistry, type TestRegistry } from "./support/test-registry";

/**
 * The pull probe against real registries: Distribution with htpasswd (Basic) and behind a token
 * server with per-repository access (Bearer), a registry that rate-limits, a fake ECR whose token
 * the real registry accepts; and its guard, which refuses loopback unless it is allowed.
 */

const USER = "prober";
const PASSWORD = "prober-password-0123456789";
const LOOPBACK = ["127.0.0.0/8", "::1/128"];
let basicRegistry: TestRegistry;
let basicCa: string;
let tokens: TokenRegistry;
let tokenCa: string;
let appDigest: string;

beforeAll(async () => {
  [basicRegistry, tokens] = await Promise.all([
    startTestRegistry({ users: { [USER]: PASSWORD } }),
    startTokenRegistry({ users: { alice: "alice-password-0123456789", bob: "bob-password-0123456789" }, access: { bob: ["team/other"] } }),
  ]);
  [appDigest] = await Promise.all([basicRegistry.pushImage("team/app", "1.0"), basicRegistry.pushImage("team/api", "2.0"), tokens.pushImage("team/app", "1.0")]);
  [basicCa, tokenCa] = await Promise.all([readFile(basicRegistry.caFile, "utf8"), readFile(tokens.caFile, "utf8")]);
}, 90_000);

afterAll(async () => {
  await Promise.all([basicRegistry?.stop(), tokens?.stop()]);
});

const on = (host: string, path: string, tag: string) => ({ imageName: `${host}/${path}`, imageTag: tag });

describe("Basic auth (htpasswd)", () => {
  const probe = (password: string, images: { imageName: string; imageTag: string }[]) =>
    probeImages("Custom", { url: basicRegistry.url, username: USER, password }, images, { allowedNetworks: LOOPBACK, extraCa: basicCa });

  it("valid credentials can pull every image in use, by tag and by digest", async () => {
    const results = await probe(PASSWORD, [on(basicRegistry.host, "team/app", "1.0"), on(basicRegistry.host, "team/api", "2.0"), on(basicRegistry.host, "team/app", appDigest)]);
    expect(results).toEqual([
      { image: `${basicRegistry.host}/team/app:1.0`, ok: true, message: `Can pull team/app:1.0 (${appDigest.slice(0, 19)}…)` },
      { image: `${basicRegistry.host}/team/api:2.0`, ok: true, message: expect.stringMatching(/^Can pull team\/api:2\.0 \(sha256:[0-9a-f]{12}…\)$/) },
      { image: `${basicRegistry.host}/team/app@${appDigest}`, ok: true, message: expect.stringContaining(`Can pull team/app@${appDigest}`) },
    ]);
  });

  it("the same image written twice is probed once", async () => {
    const results = await probe(PASSWORD, [on(basicRegistry.host, "team/app", "1.0"), on(basicRegistry.host, "team/app", "1.0")]);
    expect(results).toHaveLength(1);
  });

  it("a wrong password: credentials refused, for every image", async () => {
    const results = await probe("wrong-password-0123456789", [on(basicRegistry.host, "team/app", "1.0"), on(basicRegistry.host, "team/api", "2.0")]);
    expect(results.map((r) => [r.ok, r.reason])).toEqual([
      [false, "credentials_refused"],
      [false, "credentials_refused"],
    ]);
    expect(results[0]!.message).toBe(`${basicRegistry.host} refused these credentials`);
    expect(probeLabel("credentials_refused")).toBe("credentials refused");
  });

  it("a tag that was never pushed, and a repository that does not exist: not found", async () => {
    const results = await probe(PASSWORD, [on(basicRegistry.host, "team/app", "9.9"), on(basicRegistry.host, "team/nothing", "1.0")]);
    expect(results).toEqual([
      { image: `${basicRegistry.host}/team/app:9.9`, ok: false, reason: "not_found", message: `${basicRegistry.host} has no team/app:9.9: the tag or the repository does not exist` },
      { image: `${basicRegistry.host}/team/nothing:1.0`, ok: false, reason: "not_found", message: expect.stringContaining("has no team/nothing:1.0") },
    ]);
  });

  it("a registry whose CA this server does not trust: a TLS failure, in words", async () => {
    const [r] = await probeImages("Custom", { url: basicRegistry.url, username: USER, password: PASSWORD }, [on(basicRegistry.host, "team/app", "1.0")], { allowedNetworks: LOOPBACK });
    expect(r).toMatchObject({ ok: false, reason: "tls", message: expect.stringContaining("unknown authority") });
  });
});

describe("Bearer tokens with per-repository access", () => {
  const probe = (user: string, password: string, path = "team/app") =>
    probeImages("Custom", { url: tokens.url, username: user, password }, [on(tokens.host, path, "1.0")], { allowedNetworks: LOOPBACK, extraCa: tokenCa });

  it("asks for a token scoped to the image's repository, then pulls its manifest", async () => {
    expect(await probe("alice", "alice-password-0123456789")).toEqual([{ image: `${tokens.host}/team/app:1.0`, ok: true, message: expect.stringContaining("Can pull team/app:1.0 (sha256:") }]);
    expect(tokens.tokenRequests.at(-1)).toEqual({ user: "alice", scope: ["repository:team/app:pull"], ok: true });
  });

  it("a token that grants nothing on the repository: no access", async () => {
    const [r] = await probe("bob", "bob-password-0123456789");
    expect(r).toMatchObject({ ok: false, reason: "no_access", message: `${tokens.host} does not let these credentials pull team/app (or the repository does not exist)` });
    // The token server was asked, and said yes to the user: the refusal is the registry's, per repository.
    expect(tokens.tokenRequests.at(-1)).toEqual({ user: "bob", scope: ["repository:team/app:pull"], ok: true });
  });

  it("a wrong password is refused by the token server", async () => {
    const [r] = await probe("alice", "not-alices-password-000");
    expect(r).toMatchObject({ ok: false, reason: "credentials_refused" });
  });
});

/** A loopback HTTP server answering like a registry; counts requests. */
async function fakeRegistry(handler: http.RequestListener) {
  let hits = 0;
  const server = http.createServer((req, res) => {
    hits++;
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    hits: () => hits,
    close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}

describe("rate limits, refusals and bounds", () => {
  it("a registry answering 429 on the manifest: rate limited, with its Retry-After", async () => {
    // What Docker Hub does once the pull limit is reached: auth still works, manifests are refused.
    const limited = await fakeRegistry((req, res) => {
      if (req.url === "/v2/") {
        res.writeHead(req.headers.authorization ? 200 : 401, { "www-authenticate": 'Basic realm="limited"', "docker-distribution-api-version": "registry/2.0" }).end();
        return;
      }
      res.writeHead(429, { "retry-after": "60", "content-type": "application/json" }).end('{"errors":[{"code":"TOOMANYREQUESTS","message":"You have reached your pull rate limit."}]}');
    });
    try {
      const [r] = await probeImages("Custom", { url: limited.url, username: USER, password: PASSWORD }, [on(limited.host, "team/app", "1.0")], { allowedNetworks: LOOPBACK });
      expect(r).toEqual({
        image: `${limited.host}/team/app:1.0`,
        ok: false,
        reason: "rate_limited",
        message: `${limited.host} is rate limiting requests from this server (HTTP 429 Too Many Requests); it asks to retry in 60 s`,
      });
      expect(probeLabel("rate_limited")).toBe("rate limited");
    } finally {
      await limited.close();
    }
  });

  it("an address the egress policy refuses is never connected to", async () => {
    const listener = await startSilentServer();
    const port = new URL(listener.url).port;
    try {
      for (const url of [listener.url, `http://localhost:${port}`]) {
        const host = new URL(url).host;
        const [r] = await probeImages("Custom", { url, username: USER, password: PASSWORD }, [on(host, "team/app", "1.0")], { allowedNetworks: [] });
        expect(r, url).toMatchObject({ ok: false, reason: "refused_address", message: expect.stringContaining("EGRESS_ALLOWED_NETWORKS") });
      }
      expect(listener.connections).toBe(0);
    } finally {
      await listener.stop();
    }
  });

  it("a registry that never answers is given up within the time bound", async () => {
    const listener = await startSilentServer();
    try {
      const started = Date.now();
      const host = new URL(listener.url).host;
      const [r] = await probeImages("Custom", { url: listener.url, username: USER, password: PASSWORD }, [on(host, "team/app", "1.0")], { allowedNetworks: LOOPBACK, timeoutMs: 1000 });
      expect(r).toMatchObject({ ok: false, reason: "network", message: `Couldn't reach ${host} from this server — it did not answer within 1 s` });
      expect(Date.now() - started).toBeLessThan(3000);
      expect(listener.connections).toBe(1);
    } finally {
      await listener.stop();
    }
  });
});

describe("ECR", () => {
  let ecr: EcrServer;
  const { accessKeyId = "", secretAccessKey = "" } = EXAMPLE_CREDENTIALS.ECR;
  const ecrImage = { imageName: "123456789012.dkr.ecr.eu-central-1.amazonaws.com/team/app", imageTag: "1.0" };
  beforeAll(async () => {
    // The registry AWS names as proxyEndpoint is the real test registry; each token is a password it accepts.
    ecr = await startEcrServer({ accessKeyId, secretAccessKey, proxyEndpoint: basicRegistry.url, issuePassword: (p) => basicRegistry.setUser("AWS", p) });
  });
  afterAll(async () => {
    await ecr?.close();
  });

  it("exchanges the key pair once, then probes the account's registry with the token", async () => {
    const before = ecr.calls.length;
    const results = await probeImages("ECR", { accessKeyId, secretAccessKey, region: "eu-central-1" }, [ecrImage, { ...ecrImage, imageTag: "missing" }], {
      ecrEndpoint: ecr.url,
      allowedNetworks: LOOPBACK,
      extraCa: basicCa,
    });
    expect(ecr.calls.length - before).toBe(1);
    expect(results.map((r) => [r.image, r.ok, r.reason])).toEqual([
      [`${ecrImage.imageName}:1.0`, true, undefined],
      [`${ecrImage.imageName}:missing`, false, "not_found"],
    ]);
  });

  it("a key pair AWS refuses: credentials refused for every image, in AWS's plain words", async () => {
    const results = await probeImages("ECR", { accessKeyId, secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYWRONGWRONG", region: "eu-central-1" }, [ecrImage], {
      ecrEndpoint: ecr.url,
      allowedNetworks: LOOPBACK,
    });
    expect(results).toEqual([{ image: `${ecrImage.imageName}:1.0`, ok: false, reason: "credentials_refused", message: "The secret access key does not belong to this access key ID." }]);
  });
});
