import { spawn } from "node:child_process";
import { verify, X509Certificate } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { request } from "node:https";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  closedPort,
  startHtmlServer,
  startOpenRegistry,
  startRedirectServer,
  startSilentServer,
  startTokenRegistry,
  type CountingServer,
  type OpenRegistry,
  type SilentServer,
  type TokenRegistry,
} from "@/tests/support/registry-servers";
import { authfileJson } from "@/tests/support/test-registry";

// Everything is started once for the file; the registries are the slow part.
let tokenRegistry: TokenRegistry | undefined;
let openRegistry: OpenRegistry | undefined;
let htmlServer: CountingServer | undefined;
let silentServer: SilentServer | undefined;
let redirectServer: CountingServer | undefined;
let scratchDir: string | undefined;

beforeAll(async () => {
  scratchDir = await mkdtemp(path.join(tmpdir(), "registry-servers-test-"));
  // Each server is kept as soon as it is up and all are waited for, so that afterAll stops the
  // ones that started even when another failed.
  const results = await Promise.allSettled([
    startTokenRegistry({
      users: { alice: "alice-pw", bob: "bob-pw", carol: "carol-pw" },
      access: { bob: ["other/lib"], carol: [] },
    }).then((value) => (tokenRegistry = value)),
    startOpenRegistry().then((value) => (openRegistry = value)),
    startHtmlServer().then(async (value) => {
      htmlServer = value;
      redirectServer = await startRedirectServer(`${value.url}/landing`);
    }),
    startSilentServer().then((value) => (silentServer = value)),
  ]);
  for (const result of results) if (result.status === "rejected") throw result.reason;
});

afterAll(async () => {
  await Promise.allSettled([tokenRegistry?.stop(), openRegistry?.stop(), htmlServer?.stop(), silentServer?.stop(), redirectServer?.stop()]);
  if (scratchDir) await rm(scratchDir, { recursive: true, force: true });
});

function started() {
  if (!tokenRegistry || !openRegistry || !htmlServer || !silentServer || !redirectServer || !scratchDir) {
    throw new Error("beforeAll did not finish");
  }
  return { tokenRegistry, openRegistry, htmlServer, silentServer, redirectServer, scratchDir };
}

interface Response {
  status: number | undefined;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A GET that trusts only the CA in `caFile` (fetch takes no CA option). */
async function httpsGet(url: string, caFile: string, headers: Record<string, string> = {}): Promise<Response> {
  const ca = await readFile(caFile);
  return new Promise((resolve, reject) => {
    const req = request(url, { ca, headers, timeout: 5000 }, (res) => {
      let body = "";
      res.setEncoding("utf8").on("data", (chunk: string) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, body }));
    });
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", reject);
    req.end();
  });
}

const basic = (user: string, password: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}` });

describe("token registry", () => {
  let appDigest: string;

  beforeAll(async () => {
    const { tokenRegistry } = started();
    [appDigest] = await Promise.all([tokenRegistry.pushImage("team/app", "v1"), tokenRegistry.pushImage("other/lib", "v1")]);
  });

  /** Asks the token server for a token, as a registry client does after the challenge. */
  async function requestToken(headers: Record<string, string>, scopes: string[]): Promise<Response> {
    const { tokenRegistry } = started();
    const query = new URLSearchParams([["service", tokenRegistry.service], ...scopes.map((scope) => ["scope", scope])]);
    return httpsGet(`${tokenRegistry.realm}?${query}`, tokenRegistry.caFile, headers);
  }

  async function tokenFor(user: string, password: string, scopes: string[]): Promise<string> {
    const response = await requestToken(basic(user, password), scopes);
    expect(response.status, response.body).toBe(200);
    return JSON.parse(response.body).token;
  }

  const decodePart = (token: string, index: number) => JSON.parse(Buffer.from(token.split(".")[index] ?? "", "base64url").toString("utf8"));

  const getManifest = (repoAndTag: string, token: string) => {
    const { tokenRegistry } = started();
    const [repo, tag] = repoAndTag.split(":");
    return httpsGet(`${tokenRegistry.url}/v2/${repo}/manifests/${tag}`, tokenRegistry.caFile, {
      authorization: `Bearer ${token}`,
      accept: "application/vnd.oci.image.manifest.v1+json",
    });
  };

  async function skopeoInspect(image: string, user: string, password: string): Promise<{ code: number | null; stderr: string }> {
    const { tokenRegistry, scratchDir } = started();
    const authfile = path.join(await mkdtemp(path.join(scratchDir, "auth-")), "auth.json");
    await writeFile(authfile, authfileJson(tokenRegistry.host, user, password), { mode: 0o600 });
    const args = ["inspect", "--authfile", authfile, "--cert-dir", path.dirname(tokenRegistry.caFile), `docker://${tokenRegistry.host}/${image}`];
    return new Promise((resolve, reject) => {
      const child = spawn("skopeo", args, { stdio: ["ignore", "ignore", "pipe"], timeout: 30_000 });
      let stderr = "";
      child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
      child.on("error", reject);
      child.on("close", (code) => resolve({ code, stderr }));
    });
  }

  it("challenges anonymous clients to fetch a Bearer token from the realm", async () => {
    const { tokenRegistry } = started();
    expect(tokenRegistry.host).toMatch(/^localhost:\d+$/);
    expect(tokenRegistry.url).toBe(`https://${tokenRegistry.host}`);
    expect(tokenRegistry.realm).toMatch(/^https:\/\/localhost:\d+\/token$/);
    expect(appDigest).toMatch(/^sha256:[0-9a-f]{64}$/);

    const response = await httpsGet(`${tokenRegistry.url}/v2/`, tokenRegistry.caFile);
    expect(response.status).toBe(401);
    expect(response.headers["www-authenticate"]).toBe(`Bearer realm="${tokenRegistry.realm}",service="${tokenRegistry.service}"`);
  });

  it("refuses token requests without valid Basic credentials", async () => {
    const { tokenRegistry } = started();
    const before = tokenRegistry.tokenRequests.length;
    const scope = ["repository:team/app:pull"];
    for (const headers of [{}, basic("alice", "wrong-pw"), basic("mallory", "alice-pw")]) {
      const response = await requestToken(headers, scope);
      expect(response.status).toBe(401);
      expect(response.headers["www-authenticate"]).toMatch(/^Basic realm="[^"]+"$/);
    }
    expect(tokenRegistry.tokenRequests.slice(before)).toEqual([
      { user: undefined, scope, ok: false },
      { user: "alice", scope, ok: false },
      { user: "mallory", scope, ok: false },
    ]);
  });

  it("issues ES256 JWTs, signed by a certificate from the registry's CA, granting pull only where allowed", async () => {
    const { tokenRegistry } = started();
    const response = await requestToken(basic("alice", "alice-pw"), ["repository:team/app:pull,push", "repository:other/lib:pull"]);
    expect(response.status).toBe(200);
    const body = JSON.parse(response.body);
    expect(body.access_token).toBe(body.token);
    expect(body.expires_in).toBeGreaterThan(60);

    const [header, claims] = [decodePart(body.token, 0), decodePart(body.token, 1)];
    expect(header.alg).toBe("ES256");
    const signer = new X509Certificate(Buffer.from(header.x5c[0], "base64"));
    const ca = new X509Certificate(await readFile(tokenRegistry.caFile));
    expect(signer.verify(ca.publicKey)).toBe(true);
    const [encodedHeader, encodedClaims, signature] = body.token.split(".");
    const signed = Buffer.from(`${encodedHeader}.${encodedClaims}`);
    expect(verify("sha256", signed, { key: signer.publicKey, dsaEncoding: "ieee-p1363" }, Buffer.from(signature, "base64url"))).toBe(true);

    expect(claims).toMatchObject({ sub: "alice", aud: tokenRegistry.service, iss: expect.any(String), jti: expect.any(String) });
    expect(claims.iat).toBe(Math.floor(Date.parse(body.issued_at) / 1000));
    expect(claims.nbf).toBe(claims.iat);
    expect(claims.exp - claims.iat).toBe(body.expires_in);
    // Push is asked for but never granted to a test user.
    expect(claims.access).toEqual([
      { type: "repository", name: "team/app", actions: ["pull"] },
      { type: "repository", name: "other/lib", actions: ["pull"] },
    ]);

    const both = ["repository:team/app:pull", "repository:other/lib:pull"];
    expect(decodePart(await tokenFor("bob", "bob-pw", both), 1).access).toEqual([{ type: "repository", name: "other/lib", actions: ["pull"] }]);
    expect(decodePart(await tokenFor("carol", "carol-pw", both), 1).access).toEqual([]);
  });

  it("is trusted by the registry, which enforces each token's access", async () => {
    const { tokenRegistry } = started();
    const alice = await tokenFor("alice", "alice-pw", ["repository:team/app:pull"]);
    expect((await httpsGet(`${tokenRegistry.url}/v2/`, tokenRegistry.caFile, { authorization: `Bearer ${alice}` })).status).toBe(200);
    const manifest = await getManifest("team/app:v1", alice);
    expect(manifest.status).toBe(200);
    expect(manifest.headers["docker-content-digest"]).toBe(appDigest);

    const bob = await tokenFor("bob", "bob-pw", ["repository:team/app:pull"]);
    const refused = await getManifest("team/app:v1", bob);
    expect(refused.status).toBe(401);
    expect(refused.headers["www-authenticate"]).toContain('error="insufficient_scope"');

    // Granting oneself access by editing the claims breaks the signature.
    const [encodedHeader, , signature] = bob.split(".");
    const forgedClaims = { ...decodePart(bob, 1), access: [{ type: "repository", name: "team/app", actions: ["pull"] }] };
    const forged = `${encodedHeader}.${Buffer.from(JSON.stringify(forgedClaims)).toString("base64url")}.${signature}`;
    expect((await getManifest("team/app:v1", forged)).status).toBe(401);
  });

  it("lets skopeo through the token flow with the right password and repository access only", async () => {
    const { tokenRegistry } = started();
    const before = tokenRegistry.tokenRequests.length;
    expect(await skopeoInspect("team/app:v1", "alice", "alice-pw")).toEqual({ code: 0, stderr: "" });
    expect(tokenRegistry.tokenRequests.slice(before)).toContainEqual({ user: "alice", scope: ["repository:team/app:pull"], ok: true });

    const wrongPassword = await skopeoInspect("team/app:v1", "alice", "bob-pw");
    expect(wrongPassword.code).not.toBe(0);
    expect(wrongPassword.stderr).toMatch(/unauthorized|authentication required/);

    expect(await skopeoInspect("other/lib:v1", "bob", "bob-pw")).toEqual({ code: 0, stderr: "" });
    const noAccess = await skopeoInspect("team/app:v1", "bob", "bob-pw");
    expect(noAccess.code).not.toBe(0);
    expect(noAccess.stderr).toMatch(/unauthorized|authentication required/);
    expect((await skopeoInspect("other/lib:v1", "carol", "carol-pw")).code).not.toBe(0);

    // pushImage's own user stays out of the record.
    expect(tokenRegistry.tokenRequests.every((r) => !r.user?.startsWith("harness-"))).toBe(true);
  });
});

describe("open registry", () => {
  it("answers GET /v2/ with 200 and no credentials", async () => {
    const { openRegistry } = started();
    expect(openRegistry.url).toBe(`https://${openRegistry.host}`);
    const response = await httpsGet(`${openRegistry.url}/v2/`, openRegistry.caFile);
    expect(response.status).toBe(200);
    expect(response.headers["docker-distribution-api-version"]).toBe("registry/2.0");
    expect(response.headers["www-authenticate"]).toBeUndefined();
  });
});

describe("non-registry servers", () => {
  it("html server answers every path with a web page and counts the hits", async () => {
    const { htmlServer } = started();
    const before = htmlServer.hits;
    for (const route of ["/", "/v2/"]) {
      const response = await fetch(`${htmlServer.url}${route}`);
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toMatch(/^text\/html/);
      expect(await response.text()).toMatch(/<html>[\s\S]*<\/html>/);
    }
    expect(htmlServer.hits - before).toBe(2);
  });

  it("silent server accepts the connection and never answers", async () => {
    const { silentServer } = started();
    const before = silentServer.connections;
    const startedAt = Date.now();
    await expect(fetch(`${silentServer.url}/v2/`, { signal: AbortSignal.timeout(500) })).rejects.toMatchObject({ name: "TimeoutError" });
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(450);
    expect(silentServer.connections - before).toBe(1);
  });

  it("closed port refuses connections", async () => {
    const port = await closedPort();
    await expect(fetch(`http://127.0.0.1:${port}/v2/`)).rejects.toMatchObject({ cause: { code: "ECONNREFUSED" } });
  });

  it("redirect server answers 302 to its location", async () => {
    const { redirectServer, htmlServer } = started();
    const response = await fetch(`${redirectServer.url}/v2/`, { redirect: "manual" });
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe(`${htmlServer.url}/landing`);

    const htmlHits = htmlServer.hits;
    const followed = await fetch(`${redirectServer.url}/v2/`);
    expect(followed.url).toBe(`${htmlServer.url}/landing`);
    expect(followed.headers.get("content-type")).toMatch(/^text\/html/);
    expect(htmlServer.hits - htmlHits).toBe(1);
    expect(redirectServer.hits).toBe(2);
  });
});
