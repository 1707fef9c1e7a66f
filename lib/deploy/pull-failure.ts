import type { PullFailure, PullFailureReason } from "@/db/schema";

/**
 * Why an image could not be pulled, read from what the orchestrator reported: kubelet's
 * `Failed to pull image "…": <runtime error>` (containerd, CRI-O), a Docker engine's or skopeo's
 * error, a Swarm task's error. Runtimes word the same registry answer differently, so each reason
 * is a set of phrases; the order decides between reasons whose phrases overlap.
 */
const PATTERNS: [PullFailureReason, RegExp][] = [
  // Before not_found: containerd ends a platform miss with "…: not found".
  [
    "platform",
    /no matching manifest for|no match for platform|no image found in (?:image index|manifest list) for architecture|does not match the specified platform/i,
  ],
  ["rate_limited", /toomanyrequests|too many requests|\b429\b|pull rate limit/i],
  // ECR answers an expired token with 403 "denied", although the fix is new credentials.
  [
    "credentials_refused",
    /\b401\b|unauthorized|authentication required|incorrect username or password|invalid username\/password|no basic auth credentials|authorization token has expired/i,
  ],
  // Docker Hub says "pull access denied … repository does not exist or may require 'docker login'"
  // both for a repository that is missing and for one the account may not read: it cannot tell,
  // so neither can we; the words for no_access name both.
  ["no_access", /\b403\b|forbidden|requested access to the resource is denied|pull access denied|denied:|insufficient_scope/i],
  ["not_found", /manifest unknown|not found|repository does not exist|name unknown|\b404\b/i],
  // Before tls: "net/http: TLS handshake timeout" is a connection that timed out.
  [
    "network",
    /no such host|i\/o timeout|connection refused|dial tcp|network is unreachable|no route to host|connection reset|handshake timeout|temporary failure in name resolution|could not resolve|client\.timeout exceeded|context deadline exceeded/i,
  ],
  ["tls", /x509|certificate|tls:|ssl/i],
];

export function classifyPullFailure(message: string): PullFailureReason {
  return PATTERNS.find(([, pattern]) => pattern.test(message))?.[0] ?? "other";
}

const LABELS: Record<PullFailureReason, string> = {
  credentials_refused: "credentials refused",
  no_access: "no access to the repository",
  not_found: "image or tag not found",
  rate_limited: "rate limited",
  tls: "TLS / unknown CA",
  network: "network or DNS",
  platform: "platform mismatch",
  other: "other error",
};

/** A few words for lists and outcomes: "pull failed: credentials refused". */
export function pullFailureLabel(reason: PullFailureReason): string {
  return LABELS[reason];
}

const WORDS: Record<PullFailureReason, string> = {
  credentials_refused:
    "The registry refused the saved credentials (401). Check the username and the password or token on the registry's page, rotate them if they changed, then deploy again.",
  no_access:
    "The registry denied these credentials access to the image (403). Give the account or token pull access to the repository (a GHCR token needs read:packages); on Docker Hub this answer also means that the repository does not exist.",
  not_found: "The registry has no such image or tag. Check the image name and the tag or digest, and that the image was pushed to this registry.",
  rate_limited:
    "The registry is limiting pulls (429 Too Many Requests). Docker Hub allows 10 pulls per hour per IP address without an account and 100 per hour for a Personal account, and does not limit paid plans: pull with a paid account's credentials, use a mirror, or wait for the limit to reset.",
  tls: "The TLS connection to the registry failed: its certificate is not trusted where the image is pulled (unknown CA) or is not valid for this host. Install the registry's CA on the nodes, or fix the registry's certificate.",
  network:
    "The registry could not be reached (the name did not resolve, the connection was refused, or it timed out). Check the registry's address, and that the nodes can reach it through DNS, firewalls and proxies.",
  platform:
    "The image has no variant for the node's platform (for example an amd64-only image on arm64 nodes). Build and push the image for the nodes' platform, or run it on nodes that match.",
  other: "The image could not be pulled. The orchestrator's own message, below, says why.",
};

/** The plain-words sentence for a reason, with what to do about it. */
export function pullFailureWords(reason: PullFailureReason): string {
  return WORDS[reason];
}

const MESSAGE_CAP = 1000;

/** Printable text only, at most MESSAGE_CAP characters: what the disclosure shows. */
function capped(text: string): string {
  const clean = text.replace(/[\u0000-\u001f\u007f-\u009f]+/g, " ").trim();
  return clean.length > MESSAGE_CAP ? `${clean.slice(0, MESSAGE_CAP - 1)}…` : clean;
}

/**
 * A pull failure as it is stored and shown: classified on the redacted text (a secret's
 * characters must not decide the reason), the message redacted and capped.
 */
export function pullFailureOf(rawMessage: string, redact: (text: string) => string, extra: Pick<PullFailure, "image" | "since"> = {}): PullFailure {
  const message = capped(redact(rawMessage));
  return { reason: classifyPullFailure(message), message, ...extra };
}
