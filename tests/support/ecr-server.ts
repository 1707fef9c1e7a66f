import { createHash, createHmac, randomBytes, randomUUID, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A stand-in for Amazon ECR's API, enough for the real `@aws-sdk/client-ecr` (pointed at `url`
 * with the `endpoint` client option) to call GetAuthorizationToken. Requests must be signed with
 * SigV4 by the one known key pair; the signature is verified for real. Each successful call
 * issues a fresh registry password for user "AWS" through `issuePassword`.
 */
export interface EcrServer {
  /** "http://127.0.0.1:<port>", for the client's `endpoint` option. */
  url: string;
  /** Every request received, in order; `error` is the AWS error code it was answered with. */
  calls: { ok: boolean; error?: string; at: Date }[];
  /** Delay before answering each subsequent request. */
  setLatency(ms: number): void;
  close(): Promise<void>;
}

export interface EcrServerOptions {
  /** The only key pair accepted. */
  accessKeyId: string;
  secretAccessKey: string;
  /** Returned as `proxyEndpoint`, e.g. "https://localhost:5443". */
  proxyEndpoint: string;
  /**
   * Called with each newly issued registry password before the token is returned; if it rejects,
   * the call is answered with a 500 ServerException.
   */
  issuePassword?: (password: string) => Promise<void>;
  /** Token lifetime; defaults to 12 hours, like ECR's. */
  tokenTtlMs?: number;
  latencyMs?: number;
}

const TARGET = "AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken";
const CONTENT_TYPE = "application/x-amz-json-1.1";
const SERVICE = "ecr";
const ALGORITHM = "AWS4-HMAC-SHA256";
const DEFAULT_TOKEN_TTL_MS = 12 * 60 * 60 * 1000;
// AWS refuses requests whose X-Amz-Date is further than this from its own clock.
const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;

const AUTHORIZATION_PATTERN =
  /^AWS4-HMAC-SHA256 Credential=(?<accessKeyId>[^/,\s]+)\/(?<scopeDate>\d{8})\/(?<region>[^/,\s]+)\/(?<service>[^/,\s]+)\/aws4_request, ?SignedHeaders=(?<signedHeadersList>[a-z0-9-]+(?:;[a-z0-9-]+)*), ?Signature=(?<signature>[0-9a-f]{64})$/;
// The pattern's named groups, all present whenever it matches.
type AuthorizationFields = Record<"accessKeyId" | "scopeDate" | "region" | "service" | "signedHeadersList" | "signature", string>;
const AMZ_DATE_PATTERN = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

/** An error answered in the AWS JSON 1.1 shape; `code` becomes the SDK exception's `name`. */
class AwsError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export async function startEcrServer(opts: EcrServerOptions): Promise<EcrServer> {
  const calls: EcrServer["calls"] = [];
  let latencyMs = opts.latencyMs ?? 0;

  const getAuthorizationToken = async () => {
    const password = randomBytes(24).toString("base64url");
    await opts.issuePassword?.(password);
    const expiresAt = (Date.now() + (opts.tokenTtlMs ?? DEFAULT_TOKEN_TTL_MS)) / 1000;
    const authorizationToken = Buffer.from(`AWS:${password}`).toString("base64");
    return { authorizationData: [{ authorizationToken, expiresAt, proxyEndpoint: opts.proxyEndpoint }] };
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const at = new Date();
    const body = await readBody(req);
    if (latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, latencyMs));
    try {
      verifySignature(req, body, opts, at);
      if (req.method !== "POST" || splitUrl(req).path !== "/" || req.headers["x-amz-target"] !== TARGET) {
        throw new AwsError(400, "UnknownOperationException", "Unknown operation");
      }
      if (req.headers["content-type"] !== CONTENT_TYPE) {
        throw new AwsError(400, "SerializationException", `Expected Content-Type ${CONTENT_TYPE}`);
      }
      const result = await getAuthorizationToken();
      calls.push({ ok: true, at });
      send(res, 200, result);
    } catch (error) {
      // Anything else (issuePassword failing, say) is ECR's own fault: the SDK retries those.
      const e = error instanceof AwsError ? error : new AwsError(500, "ServerException", String(error));
      calls.push({ ok: false, error: e.code, at });
      send(res, e.status, { __type: e.code, message: e.message }, { "x-amzn-ErrorType": e.code });
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    setLatency(ms) {
      latencyMs = ms;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // The SDK keeps connections alive; close() alone would wait for them to time out.
        server.closeAllConnections();
      }),
  };
}

/**
 * SigV4 verification, following AWS's "Create a signed AWS API request" algorithm: rebuild the
 * canonical request from what was received, derive the signing key from the known secret and
 * compare signatures. Throws the AwsError that ECR would answer with.
 */
function verifySignature(req: IncomingMessage, body: Buffer, opts: EcrServerOptions, now: Date): void {
  const authorization = req.headers.authorization;
  if (!authorization) throw new AwsError(400, "MissingAuthenticationTokenException", "Missing Authentication Token");
  const amzDate = req.headers["x-amz-date"];
  const fields = AUTHORIZATION_PATTERN.exec(authorization)?.groups;
  if (!fields || typeof amzDate !== "string" || !AMZ_DATE_PATTERN.test(amzDate)) {
    throw new AwsError(400, "IncompleteSignatureException", `Malformed Authorization header or X-Amz-Date: ${authorization}`);
  }
  const { accessKeyId, scopeDate, region, service, signedHeadersList, signature } = fields as AuthorizationFields;

  if (accessKeyId !== opts.accessKeyId) {
    throw new AwsError(400, "UnrecognizedClientException", "The security token included in the request is invalid.");
  }
  if (service !== SERVICE) {
    throw new AwsError(403, "InvalidSignatureException", `Credential should be scoped to correct service: '${SERVICE}'.`);
  }
  if (!amzDate.startsWith(scopeDate)) {
    throw new AwsError(403, "InvalidSignatureException", `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${scopeDate}' != '${amzDate.slice(0, 8)}'`);
  }
  const signedAt = new Date(amzDate.replace(AMZ_DATE_PATTERN, "$1-$2-$3T$4:$5:$6Z"));
  if (Math.abs(now.getTime() - signedAt.getTime()) > MAX_CLOCK_SKEW_MS) {
    throw new AwsError(403, "InvalidSignatureException", `Signature expired: ${amzDate} is not within 15 minutes of the server time.`);
  }

  const signedHeaders = signedHeadersList.split(";");
  for (const required of ["host", "x-amz-date"]) {
    if (!signedHeaders.includes(required)) {
      throw new AwsError(403, "InvalidSignatureException", `'${required}' must be a 'SignedHeader' in the AWS Authorization.`);
    }
  }

  // The payload hash the client declares is what it signed; it must also match the body received.
  const bodyHash = sha256Hex(body);
  const declaredHash = req.headers["x-amz-content-sha256"];
  if (typeof declaredHash === "string" && declaredHash !== bodyHash) {
    throw new AwsError(403, "InvalidSignatureException", "The provided 'x-amz-content-sha256' header does not match what was computed.");
  }

  const { path, query } = splitUrl(req);
  const canonicalRequest = [
    req.method,
    canonicalUri(path),
    canonicalQuery(query),
    signedHeaders.map((name) => `${name}:${canonicalHeaderValue(req, name)}\n`).join(""),
    signedHeadersList,
    declaredHash ?? bodyHash,
  ].join("\n");
  const scope = `${scopeDate}/${region}/${service}/aws4_request`;
  const stringToSign = [ALGORITHM, amzDate, scope, sha256Hex(canonicalRequest)].join("\n");

  let key: Buffer = hmac(`AWS4${opts.secretAccessKey}`, scopeDate);
  for (const part of [region, service, "aws4_request"]) key = hmac(key, part);
  const expected = hmac(key, stringToSign);

  if (!timingSafeEqual(expected, Buffer.from(signature, "hex"))) {
    throw new AwsError(
      403,
      "InvalidSignatureException",
      "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
    );
  }
}

/** Each segment of the path as received URI-encoded again: non-S3 services sign a doubly encoded path. */
function canonicalUri(path: string): string {
  return path.split("/").map(uriEncode).join("/") || "/";
}

/** Parameters URI-encoded, then sorted by name and value. */
function canonicalQuery(query: string): string {
  if (!query) return "";
  return query
    .split("&")
    .map((pair) => {
      const eq = pair.includes("=") ? pair.indexOf("=") : pair.length;
      return [pair.slice(0, eq), pair.slice(eq + 1)].map((part) => uriEncode(decodeURIComponent(part)));
    })
    .sort(([nameA = "", valueA = ""], [nameB = "", valueB = ""]) => compare(nameA, nameB) || compare(valueA, valueB))
    .map(([name, value]) => `${name}=${value}`)
    .join("&");
}

/** Code-point order, as SigV4 sorts by. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Values trimmed with inner runs of spaces collapsed; repeated headers joined with commas. */
function canonicalHeaderValue(req: IncomingMessage, name: string): string {
  const values = req.headersDistinct[name];
  if (!values) throw new AwsError(403, "InvalidSignatureException", `Signed header '${name}' is missing from the request.`);
  return values.map((value) => value.trim().replace(/ +/g, " ")).join(",");
}

/** RFC 3986 encoding: everything but unreserved characters, as AWS specifies. */
function uriEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function sha256Hex(data: Buffer | string): string {
  return createHash("sha256").update(data).digest("hex");
}

function hmac(key: Buffer | string, data: string): Buffer {
  return createHmac("sha256", key).update(data).digest();
}

/** The path and query exactly as sent (URL parsing would normalise them). */
function splitUrl(req: IncomingMessage): { path: string; query: string } {
  const url = req.url ?? "/";
  const mark = url.indexOf("?");
  return mark === -1 ? { path: url, query: "" } : { path: url.slice(0, mark), query: url.slice(mark + 1) };
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function send(res: ServerResponse, status: number, payload: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": CONTENT_TYPE, "x-amzn-RequestId": randomUUID(), ...headers });
  res.end(JSON.stringify(payload));
}
