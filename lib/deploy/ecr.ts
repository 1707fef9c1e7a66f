import { ECRClient, GetAuthorizationTokenCommand } from "@aws-sdk/client-ecr";
import { egressAgent, isEgressRefused, serverEgressPolicy, type EgressPolicy } from "@/lib/egress";
import type { PullCredentials } from "./docker-config";

export type EcrKeyPair = { accessKeyId: string; secretAccessKey: string; region: string };

/** An AWS failure in words a user can act on; the message never contains the key. */
export class EcrError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "EcrError";
  }
}

const PLAIN_WORDS: Record<string, string> = {
  UnrecognizedClientException: "AWS does not recognise this access key ID (deleted, inactive, or from another partition).",
  InvalidSignatureException: "The secret access key does not belong to this access key ID.",
  SignatureDoesNotMatch: "The secret access key does not belong to this access key ID.",
  AccessDeniedException: "The key works, but its IAM policy does not allow ecr:GetAuthorizationToken.",
  ExpiredTokenException: "These temporary credentials have expired.",
  InvalidClientTokenId: "AWS does not recognise this access key ID.",
};

function plainWords(err: unknown, region: string): string {
  if (isEgressRefused(err)) return `Amazon ECR in ${region} was not contacted: ${err.message}`;
  const name = (err as { name?: string }).name ?? "";
  if (PLAIN_WORDS[name]) return PLAIN_WORDS[name];
  const code = (err as { code?: string }).code ?? "";
  if (["ENOTFOUND", "ECONNREFUSED", "ETIMEDOUT", "ECONNRESET", "EAI_AGAIN"].includes(code) || name === "TimeoutError") {
    return `Could not reach Amazon ECR in ${region} (${code || name}).`;
  }
  return `Amazon ECR refused the request${name ? ` (${name})` : ""}.`;
}

/**
 * Exchanges an AWS key pair for a 12-hour registry login with ECR GetAuthorizationToken:
 * user `AWS`, the token's password, valid for the host of the returned proxyEndpoint.
 * `endpoint` overrides the AWS endpoint (an operator setting; tests point it at a fake ECR).
 */
export async function ecrPullCredentials(keys: EcrKeyPair, opts: { endpoint?: string; timeoutMs?: number; policy?: EgressPolicy } = {}): Promise<PullCredentials> {
  const policy = opts.policy ?? serverEgressPolicy();
  const client = new ECRClient({
    region: keys.region,
    endpoint: opts.endpoint,
    credentials: { accessKeyId: keys.accessKeyId, secretAccessKey: keys.secretAccessKey },
    maxAttempts: 2,
    // The region is typed by a user and names the host: connections go through the egress policy.
    requestHandler: { httpsAgent: egressAgent("https:", policy), httpAgent: egressAgent("http:", policy) },
  });
  try {
    const out = await client.send(new GetAuthorizationTokenCommand({}), { abortSignal: AbortSignal.timeout(opts.timeoutMs ?? 10_000) });
    const data = out.authorizationData?.[0];
    if (!data?.authorizationToken || !data.proxyEndpoint) throw new EcrError("Amazon ECR returned no authorization token.");
    const decoded = Buffer.from(data.authorizationToken, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon <= 0) throw new EcrError("Amazon ECR returned a malformed authorization token.");
    return {
      username: decoded.slice(0, colon),
      password: decoded.slice(colon + 1),
      serverKeys: [new URL(data.proxyEndpoint).host],
      expiresAt: data.expiresAt ?? new Date(Date.now() + 12 * 3600_000),
    };
  } catch (err) {
    if (err instanceof EcrError) throw err;
    throw new EcrError(plainWords(err, keys.region));
  } finally {
    client.destroy();
  }
}
