import { describe, expect, it } from "vitest";
import type { PullFailureReason } from "@/db/schema";
import { classifyPullFailure, pullFailureLabel, pullFailureOf, pullFailureWords } from "./pull-failure";

/**
 * Messages as the runtimes word them: kubelet's event prefix around containerd's, CRI-O's
 * (containers/image, which skopeo shares) and the Docker engine's errors, skopeo's own lines as
 * this machine's skopeo prints them, and Swarm task errors.
 */
const CASES: [PullFailureReason, string, string][] = [
  [
    "credentials_refused",
    "kubelet + containerd, Basic-auth registry",
    'Failed to pull image "registry.example.com/team/app:1.0": rpc error: code = Unknown desc = failed to pull and unpack image "registry.example.com/team/app:1.0": failed to resolve reference "registry.example.com/team/app:1.0": pulling from host registry.example.com failed with status code [manifests 1.0]: 401 Unauthorized',
  ],
  [
    "credentials_refused",
    "kubelet + containerd, token registry",
    'failed to pull and unpack image "docker.io/acme/app:1.0": failed to resolve reference "docker.io/acme/app:1.0": failed to authorize: failed to fetch oauth token: unexpected status from GET request to https://auth.docker.io/token?scope=repository%3Aacme%2Fapp%3Apull&service=registry.docker.io: 401 Unauthorized',
  ],
  [
    "credentials_refused",
    "CRI-O / skopeo against Distribution with htpasswd",
    'time="2026-11-28T18:44:59Z" level=fatal msg="Error parsing image name \\"docker://localhost:34907/team/app:1.0\\": reading manifest 1.0 in localhost:34907/team/app: unauthorized: authentication required"',
  ],
  ["credentials_refused", "Docker engine, Docker Hub", 'Error response from daemon: Head "https://registry-1.docker.io/v2/acme/app/manifests/1.0": unauthorized: incorrect username or password'],
  ["credentials_refused", "GHCR with a revoked token", "Error response from daemon: Head \"https://ghcr.io/v2/acme/app/manifests/1.0\": unauthorized: unauthenticated: User cannot be authenticated with the token provided."],
  ["credentials_refused", "ECR with an expired token", "denied: Your authorization token has expired. Reauthenticate and try again."],
  [
    "no_access",
    "Docker Hub, repository missing or not readable",
    "Error response from daemon: pull access denied for acme/private, repository does not exist or may require 'docker login': denied: requested access to the resource is denied",
  ],
  [
    "no_access",
    "kubelet + containerd, Docker Hub",
    'failed to resolve reference "docker.io/acme/private:1.0": pull access denied, repository does not exist or may require authorization: server message: insufficient_scope: authorization failed',
  ],
  ["no_access", "ECR without ecr:BatchGetImage", "denied: User: arn:aws:iam::123456789012:user/ci is not authorized to perform: ecr:BatchGetImage on resource: arn:aws:ecr:eu-central-1:123456789012:repository/app"],
  ["no_access", "a 403 from a proxy", 'failed to resolve reference "registry.example.com/app:1": unexpected status from HEAD request to https://registry.example.com/v2/app/manifests/1: 403 Forbidden'],
  ["not_found", "kubelet + containerd, missing tag", 'failed to pull and unpack image "docker.io/library/nginx:9.9.9": failed to resolve reference "docker.io/library/nginx:9.9.9": docker.io/library/nginx:9.9.9: not found'],
  [
    "not_found",
    "skopeo, missing tag",
    'level=fatal msg="Error parsing image name \\"docker://localhost:34907/team/app:9.9\\": reading manifest 9.9 in localhost:34907/team/app: manifest unknown: manifest unknown"',
  ],
  ["not_found", "Docker engine, missing tag", "Error response from daemon: manifest for registry.example.com/team/app:9.9 not found: manifest unknown: manifest unknown"],
  ["not_found", "Quay, missing repository", "reading manifest 1.0 in quay.io/acme/nope: name unknown: repository does not exist"],
  [
    "rate_limited",
    "kubelet + containerd, Docker Hub",
    'failed to pull and unpack image "docker.io/library/nginx:1.27": failed to copy: httpReadSeeker: failed open: unexpected status code https://registry-1.docker.io/v2/library/nginx/manifests/sha256:0a1b: 429 Too Many Requests - Server message: toomanyrequests: You have reached your pull rate limit. You may increase the limit by authenticating and upgrading: https://www.docker.com/increase-rate-limit',
  ],
  ["rate_limited", "Docker engine", "Error response from daemon: toomanyrequests: You have reached your unauthenticated pull rate limit. https://www.docker.com/increase-rate-limit"],
  [
    "tls",
    "skopeo, unknown CA",
    'msg="Error parsing image name \\"docker://127.0.0.1:34907/team/app:1.0\\": pinging container registry 127.0.0.1:34907: Get \\"https://127.0.0.1:34907/v2/\\": x509: certificate signed by unknown authority"',
  ],
  ["tls", "kubelet + containerd, Go 1.20+ wording", 'failed to resolve reference "registry.internal/app:1": failed to do request: Head "https://registry.internal/v2/app/manifests/1": tls: failed to verify certificate: x509: certificate signed by unknown authority'],
  ["tls", "certificate for another name", 'Get "https://10.0.40.7/v2/": x509: certificate is valid for registry.internal, not 10.0.40.7'],
  [
    "network",
    "skopeo, connection refused",
    'msg="Error parsing image name \\"docker://localhost:1/team/app:1.0\\": pinging container registry localhost:1: Get \\"https://localhost:1/v2/\\": dial tcp 127.0.0.1:1: connect: connection refused"',
  ],
  ["network", "kubelet + containerd, DNS", 'failed to resolve reference "registry.internal/app:1": failed to do request: Head "https://registry.internal/v2/app/manifests/1": dial tcp: lookup registry.internal on 10.96.0.10:53: no such host'],
  ["network", "timeout", 'Get "https://registry.example.com/v2/": dial tcp 203.0.113.9:443: i/o timeout'],
  ["network", "TLS handshake that never finished", 'Get "https://registry.example.com/v2/": net/http: TLS handshake timeout'],
  ["platform", "Docker engine", "no matching manifest for linux/arm64/v8 in the manifest list entries"],
  ["platform", "kubelet + containerd", 'failed to pull and unpack image "docker.io/acme/app:1.0": no match for platform in manifest: not found'],
  ["platform", "CRI-O / skopeo", 'choosing image instance: no image found in image index for architecture "arm64", variant "v8", OS "linux"'],
  ["other", "kubelet, InvalidImageName", 'Failed to apply default image tag "Team/App:1.0": couldn\'t parse image name "Team/App:1.0": invalid reference format: repository name must be lowercase'],
  ["other", "Swarm task: the node's pull failed, the reason is only in its daemon log", "No such image: registry.example.com/team/app:1.0@sha256:8dacacfe275db3cacea1ffdfb1474996f15ab6a4c698425a0bd3eec40313477b"],
];

describe("classifyPullFailure", () => {
  it.each(CASES)("%s: %s", (reason, _source, message) => {
    expect(classifyPullFailure(message)).toBe(reason);
  });

  it("every reason has a label and a sentence that says what to do", () => {
    const reasons: PullFailureReason[] = ["credentials_refused", "no_access", "not_found", "rate_limited", "tls", "network", "platform", "other"];
    for (const reason of reasons) {
      expect(pullFailureLabel(reason).length).toBeGreaterThan(3);
      expect(pullFailureWords(reason)).toMatch(/\.$/);
    }
    expect(pullFailureLabel("credentials_refused")).toBe("credentials refused");
    expect(pullFailureWords("rate_limited")).toContain("Docker Hub");
  });
});

describe("pullFailureOf", () => {
  it("redacts before classifying and keeps the message printable and capped", () => {
    const secret = "s3cret-401-token";
    const failure = pullFailureOf(`pulling with ${secret}\nfailed: manifest unknown ${"x".repeat(2000)}`, (t) => t.split(secret).join("****"), { image: "a/b:1" });
    expect(failure.reason).toBe("not_found");
    expect(failure.message).not.toContain(secret);
    expect(failure.message).not.toContain("\n");
    expect(failure.message.length).toBeLessThanOrEqual(1000);
    expect(failure.image).toBe("a/b:1");
  });
});
