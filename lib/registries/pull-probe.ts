import "server-only";
import type { PullFailureReason } from "@/db/schema";
import { EcrError } from "@/lib/deploy/ecr";
import { pullFailureLabel } from "@/lib/deploy/pull-failure";
import { pool } from "@/lib/containers/refresh";
import { apiBaseOf, loginOf, type Credentials, type RegistryType } from "./catalog";
import { parseImage, type ImageReference } from "./image-ref";
import { isTlsFailure } from "@/lib/network-failure";
import { CheckContext, ecrExchange, negotiate, rateLimited, unreachable, type LiveCheckOptions, type LiveStatus, type Reply } from "./live-check";

/**
 * The pull probe: can these credentials pull each image in use? Per image, the V2 handshake of
 * the live check with a token scoped to `repository:<path>:pull`, then a HEAD of the exact tag's
 * (or digest's) manifest — what a kubelet asks first, without downloading anything and without
 * counting as a pull on Docker Hub. Every connection goes through the live check's guard: the
 * egress policy, a time bound per image and a body cap.
 */

/** The reasons a pull fails (lib/deploy/pull-failure.ts), and two only a check from this server meets. */
export type ProbeReason = Exclude<PullFailureReason, "platform"> | "not_a_registry" | "refused_address";
export type ImageProbe = { image: string; ok: boolean; reason?: ProbeReason; message: string };
export type ProbeOptions = LiveCheckOptions & { concurrency?: number };

/** Every manifest type a client may pull: OCI index and manifest, Docker manifest list and v2. */
export const MANIFEST_ACCEPT = [
  "application/vnd.oci.image.index.v1+json",
  "application/vnd.oci.image.manifest.v1+json",
  "application/vnd.docker.distribution.manifest.list.v2+json",
  "application/vnd.docker.distribution.manifest.v2+json",
].join(", ");

const DEFAULT_CONCURRENCY = 4;

/** What the handshake's refusals mean for a pull. */
const REASON_OF: Partial<Record<LiveStatus, ProbeReason>> = {
  invalid_credentials: "credentials_refused",
  rate_limited: "rate_limited",
  unreachable: "network",
  not_a_registry: "not_a_registry",
  refused_address: "refused_address",
};

const failed = (image: string, reason: ProbeReason, message: string): ImageProbe => ({ image, ok: false, reason, message });

type Login = { username: string; password: string; host?: string };

/**
 * Probes each distinct image (`imageName` + `imageTag` as containers store them) with the
 * credentials; results in the order the images were given. ECR key pairs are exchanged once.
 * Public registries have no credentials to probe: callers do not ask.
 */
export async function probeImages(type: RegistryType, credentials: Credentials, images: { imageName: string; imageTag: string }[], opts: ProbeOptions = {}): Promise<ImageProbe[]> {
  const parsed = new Map<string, ReturnType<typeof parseImage>>();
  for (const i of images) {
    const p = parseImage(i.imageName, i.imageTag);
    parsed.set(p.ok ? p.ref.full : `${i.imageName}:${i.imageTag}`, p);
  }
  if (parsed.size === 0) return [];
  const login = loginOf(type, credentials);
  if (login.kind === "none") throw new Error("A public registry has no credentials to probe");
  let resolved: Login;
  if (login.kind === "static") resolved = login;
  else {
    try {
      const token = await ecrExchange(login, opts);
      // The token is for the account's own registry, the host AWS named.
      resolved = { username: token.username, password: token.password, host: token.serverKeys[0] };
    } catch (err) {
      if (!(err instanceof EcrError)) throw err;
      return [...parsed.keys()].map((image) => failed(image, "credentials_refused", err.message));
    }
  }
  const entries = [...parsed.entries()];
  const results: ImageProbe[] = new Array(entries.length);
  await pool(
    entries.map((entry, index) => ({ entry, index })),
    opts.concurrency ?? DEFAULT_CONCURRENCY,
    async ({ entry: [image, p], index }) => {
      results[index] = p.ok ? await probeImage(type, credentials, resolved, p.ref, opts) : failed(image, "other", `Not a valid image reference: ${p.message}`);
    },
  );
  return results;
}

async function probeImage(type: RegistryType, credentials: Credentials, login: Login, ref: ImageReference, opts: LiveCheckOptions): Promise<ImageProbe> {
  const image = ref.full;
  const base = apiBaseOf(type, credentials, login.host ?? ref.domain)!;
  const host = base.host;
  const ctx = new CheckContext(opts);
  try {
    const access = await negotiate(ctx, base, login, `repository:${ref.path}:pull`);
    if (access.kind === "refused") return failed(image, REASON_OF[access.result.status] ?? "other", access.result.message);
    const reply = await ctx.request(new URL(`/v2/${ref.path}/manifests/${ref.digest ?? ref.tag}`, base), {
      method: "HEAD",
      accept: MANIFEST_ACCEPT,
      authorization: access.kind === "granted" ? access.authorization : undefined,
    });
    return manifestVerdict(image, ref, host, reply, access.kind === "granted" ? access.scheme : "open");
  } catch (err) {
    const r = unreachable(err, host, ctx.timeoutMs);
    return failed(image, isTlsFailure(err) ? "tls" : (REASON_OF[r.status] ?? "network"), r.message);
  }
}

function manifestVerdict(image: string, ref: ImageReference, host: string, reply: Reply, scheme: "basic" | "bearer" | "open"): ImageProbe {
  const what = ref.digest ? `${ref.path}@${ref.digest}` : `${ref.path}:${ref.tag}`;
  if (reply.status === 200) {
    // Only a well-formed digest is shown: it is the one header of the answer that reaches the page.
    const digest = /^sha256:[0-9a-f]{64}$/.exec(String(reply.headers["docker-content-digest"] ?? ""))?.[0];
    const open = scheme === "open" ? " (the registry needs no authentication)" : "";
    return { image, ok: true, message: `Can pull ${what}${digest ? ` (${digest.slice(0, 19)}…)` : ""}${open}` };
  }
  if (reply.status === 401 && scheme === "basic") return failed(image, "credentials_refused", `${host} refused these credentials for ${ref.path}`);
  // A Bearer token is issued even for a repository it grants nothing on; the manifest then answers 401.
  if (reply.status === 401) return failed(image, "no_access", `${host} does not let these credentials pull ${ref.path} (or the repository does not exist)`);
  if (reply.status === 403) return failed(image, "no_access", `${host} denies these credentials access to ${ref.path}`);
  if (reply.status === 404) return failed(image, "not_found", `${host} has no ${what}: the ${ref.digest ? "digest" : "tag"} or the repository does not exist`);
  if (reply.status === 429) return failed(image, "rate_limited", rateLimited(reply, host).message);
  return failed(image, "other", `${host} answered HTTP ${reply.status} to the manifest request for ${what}`);
}

const OWN_LABELS: Record<string, string> = { not_a_registry: "not a registry", refused_address: "address not allowed" };

/** A few words for a probe's reason, the same as for a pull that failed for it. */
export function probeLabel(reason: string): string {
  return OWN_LABELS[reason] ?? pullFailureLabel(reason as PullFailureReason) ?? pullFailureLabel("other");
}
