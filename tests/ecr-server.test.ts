import { ECRClient, GetAuthorizationTokenCommand } from "@aws-sdk/client-ecr";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEcrServer, type EcrServer } from "./support/ecr-server";

const ACCESS_KEY_ID = "AKIATESTECRSERVER01";
const SECRET_ACCESS_KEY = "test/secret+key/ecr-server-0123456789ab";
const PROXY_ENDPOINT = "https://localhost:5443";
const TOKEN_TTL_MS = 60 * 60 * 1000;

let server: EcrServer;
const issued: string[] = [];

beforeAll(async () => {
  server = await startEcrServer({
    accessKeyId: ACCESS_KEY_ID,
    secretAccessKey: SECRET_ACCESS_KEY,
    proxyEndpoint: PROXY_ENDPOINT,
    tokenTtlMs: TOKEN_TTL_MS,
    issuePassword: async (password) => {
      issued.push(password);
    },
  });
});

afterAll(async () => {
  await server.close();
});

// Static credentials and region: the SDK consults no provider chain, IMDS or other network.
function client(credentials = { accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET_ACCESS_KEY }, endpoint = server.url) {
  return new ECRClient({ region: "eu-west-1", endpoint, credentials, maxAttempts: 1 });
}

async function getTokenError(ecr: ECRClient) {
  const error = await ecr.send(new GetAuthorizationTokenCommand({})).then(
    () => undefined,
    (e: unknown) => e as { name: string; $metadata: { httpStatusCode?: number } },
  );
  if (!error) throw new Error("GetAuthorizationToken unexpectedly succeeded");
  return error;
}

/** Signs a real request with the SDK and captures it as sent, so a test can replay or alter it. */
async function signedRequest() {
  const ecr = client();
  let captured: { headers: Record<string, string>; body: string } | undefined;
  // The deserialize step runs after signing, just before the request goes out.
  ecr.middlewareStack.add(
    (next) => async (args) => {
      captured = structuredClone(args.request as NonNullable<typeof captured>);
      return next(args);
    },
    { step: "deserialize" },
  );
  await ecr.send(new GetAuthorizationTokenCommand({}));
  return captured!;
}

async function post(request: { headers: Record<string, string>; body: string }) {
  // fetch sets Host (to the same value) itself.
  const headers = Object.fromEntries(Object.entries(request.headers).filter(([name]) => name !== "host"));
  const res = await fetch(server.url, { method: "POST", headers, body: request.body });
  return { status: res.status, body: (await res.json()) as { __type?: string; message?: string; authorizationData?: unknown[] } };
}

describe("ECR test server", () => {
  it("issues a token for the known key pair through the real SDK", async () => {
    const before = Date.now();
    const { authorizationData } = await client().send(new GetAuthorizationTokenCommand({}));

    expect(authorizationData).toHaveLength(1);
    const [data] = authorizationData!;
    const decoded = Buffer.from(data!.authorizationToken!, "base64").toString();
    expect(decoded).toBe(`AWS:${issued.at(-1)}`);
    expect(issued.at(-1)).toMatch(/^[\w-]{20,}$/);
    expect(data!.proxyEndpoint).toBe(PROXY_ENDPOINT);
    expect(data!.expiresAt).toBeInstanceOf(Date);
    expect(data!.expiresAt!.getTime()).toBeGreaterThanOrEqual(before + TOKEN_TTL_MS);
    expect(data!.expiresAt!.getTime()).toBeLessThanOrEqual(Date.now() + TOKEN_TTL_MS);
    expect(server.calls.at(-1)).toMatchObject({ ok: true });
  });

  it("issues a fresh password on every call", async () => {
    const count = issued.length;
    await client().send(new GetAuthorizationTokenCommand({}));
    await client().send(new GetAuthorizationTokenCommand({}));
    expect(issued).toHaveLength(count + 2);
    expect(issued.at(-1)).not.toBe(issued.at(-2));
  });

  it("refuses a wrong secret key with InvalidSignatureException", async () => {
    const error = await getTokenError(client({ accessKeyId: ACCESS_KEY_ID, secretAccessKey: `${SECRET_ACCESS_KEY}x` }));
    expect(error.name).toBe("InvalidSignatureException");
    expect(error.$metadata.httpStatusCode).toBe(403);
    expect(server.calls.at(-1)).toMatchObject({ ok: false, error: "InvalidSignatureException" });
  });

  it("refuses an unknown access key id with UnrecognizedClientException", async () => {
    const error = await getTokenError(client({ accessKeyId: "AKIAUNKNOWNKEY000000", secretAccessKey: SECRET_ACCESS_KEY }));
    expect(error.name).toBe("UnrecognizedClientException");
    expect(error.$metadata.httpStatusCode).toBe(400);
    expect(server.calls.at(-1)).toMatchObject({ ok: false, error: "UnrecognizedClientException" });
  });

  it("accepts a replay of a genuinely signed request", async () => {
    const res = await post(await signedRequest());
    expect(res.status).toBe(200);
    expect(res.body.authorizationData).toHaveLength(1);
  });

  it("refuses a request whose signature is garbage", async () => {
    const request = await signedRequest();
    const authorization = request.headers.authorization!.replace(/Signature=[0-9a-f]{64}$/, `Signature=${"0".repeat(64)}`);
    const res = await post({ ...request, headers: { ...request.headers, authorization } });
    expect(res).toMatchObject({ status: 403, body: { __type: "InvalidSignatureException" } });
  });

  it("refuses a signed request whose signed header was altered", async () => {
    const request = await signedRequest();
    const res = await post({ ...request, headers: { ...request.headers, "amz-sdk-request": "attempt=2; max=3" } });
    expect(res).toMatchObject({ status: 403, body: { __type: "InvalidSignatureException" } });
  });

  it("refuses a signed request whose body was altered", async () => {
    const request = await signedRequest();
    // Same length, so the signed Content-Length still holds and only the payload hash can tell.
    const res = await post({ ...request, body: "[]" });
    expect(res).toMatchObject({
      status: 403,
      body: { __type: "InvalidSignatureException", message: expect.stringContaining("x-amz-content-sha256") },
    });
  });

  it("refuses an unsigned request", async () => {
    const res = await post({ headers: { "content-type": "application/x-amz-json-1.1" }, body: "{}" });
    expect(res).toMatchObject({ status: 400, body: { __type: "MissingAuthenticationTokenException" } });
  });

  it("fails with ServerException when the password cannot be issued", async () => {
    const failing = await startEcrServer({
      accessKeyId: ACCESS_KEY_ID,
      secretAccessKey: SECRET_ACCESS_KEY,
      proxyEndpoint: PROXY_ENDPOINT,
      issuePassword: () => Promise.reject(new Error("registry unavailable")),
    });
    try {
      const error = await getTokenError(client(undefined, failing.url));
      expect(error.name).toBe("ServerException");
      expect(error.$metadata.httpStatusCode).toBe(500);
      expect(failing.calls).toMatchObject([{ ok: false, error: "ServerException" }]);
    } finally {
      await failing.close();
    }
  });

  it("answers only after the configured latency", async () => {
    server.setLatency(300);
    try {
      const started = Date.now();
      await client().send(new GetAuthorizationTokenCommand({}));
      expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    } finally {
      server.setLatency(0);
    }
  });
});
