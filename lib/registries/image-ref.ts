/**
 * Image references (registry-facts.md §5): `[domain/]path[:tag][@digest]`, normalised the way
 * the Docker CLI and kubelet do, and matched against the hosts a registry serves.
 * Shared by the container form (browser) and the deploy module (server).
 */

export type ImageReference = {
  /** `docker.io` for Docker Hub (also when written `index.docker.io` or left out). */
  domain: string;
  /** Repository path, with `library/` added for one-component Docker Hub names. */
  path: string;
  tag?: string;
  digest?: string;
  /** The fully qualified reference, e.g. `docker.io/library/postgres:17-alpine`. */
  full: string;
};

export type ImageField = "imageName" | "imageTag";
export type ParsedImage = { ok: true; ref: ImageReference } | { ok: false; field: ImageField; message: string };

const COMPONENT = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST = /^sha256:[0-9a-f]{64}$/;
const DOMAIN = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*(?::[0-9]{1,5})?$/;

const fail = (field: ImageField, message: string): ParsedImage => ({ ok: false, field, message });

/** A first component is a registry domain only if it has `.` or `:` or is `localhost`. */
function namesDomain(name: string): boolean {
  const slash = name.indexOf("/");
  const first = slash === -1 ? "" : name.slice(0, slash);
  return slash !== -1 && (first.includes(".") || first.includes(":") || first === "localhost");
}

function splitDomain(name: string): { domain: string; rest: string } {
  if (!namesDomain(name)) return { domain: "docker.io", rest: name };
  const slash = name.indexOf("/");
  return { domain: name.slice(0, slash).toLowerCase(), rest: name.slice(slash + 1) };
}

/**
 * An image name as meant with a registry chosen: a path without a host (`team/api`) is on that
 * registry's host (`127.0.0.1:5101/team/api`), as the registry form's "Image to try" takes it,
 * rather than on Docker Hub. Saved that way, so every later reader parses it alike.
 */
export function imageNameOn(imageName: string, registryHost: string | undefined): string {
  const name = imageName.trim();
  return registryHost && name !== "" && !namesDomain(name) ? `${registryHost}/${name}` : name;
}

/**
 * Parses the container form's two fields: the image name (optionally with a registry domain)
 * and the tag, which may also be a `sha256:` digest.
 */
export function parseImage(imageName: string, imageTag: string): ParsedImage {
  const name = imageName.trim();
  const tagOrDigest = imageTag.trim();
  if (name === "") return fail("imageName", "Enter an image name, e.g. postgres or ghcr.io/acme/api");
  if (/[@]/.test(name)) return fail("imageName", "Put the digest in the Tag field (sha256:…), not in the image name");
  const { domain: rawDomain, rest } = splitDomain(name);
  if (!DOMAIN.test(rawDomain)) return fail("imageName", `"${rawDomain}" is not a valid registry host`);
  const lastPart = rest.slice(rest.lastIndexOf("/") + 1);
  if (lastPart.includes(":")) return fail("imageName", "Put the tag in the Tag field, not after a colon in the image name");
  const domain = rawDomain === "index.docker.io" ? "docker.io" : rawDomain;
  const components = rest.split("/");
  const bad = components.find((c) => !COMPONENT.test(c));
  if (bad !== undefined) {
    return fail(
      "imageName",
      bad === ""
        ? "The image path has an empty part (two slashes, or a slash at the start or end)"
        : `"${bad}" is not a valid path part: use lower-case letters and digits, separated by ".", "_", "__" or "-"`,
    );
  }
  const path = domain === "docker.io" && components.length === 1 ? `library/${rest}` : rest;
  if (path.length > 255) return fail("imageName", "The image path is longer than 255 characters");

  if (tagOrDigest === "") return fail("imageTag", "Enter a tag (e.g. latest, 17-alpine) or a digest (sha256:…)");
  if (tagOrDigest.includes(":")) {
    if (!DIGEST.test(tagOrDigest)) return fail("imageTag", "A digest must be sha256: followed by 64 lower-case hex characters");
    return { ok: true, ref: { domain, path, digest: tagOrDigest, full: `${domain}/${path}@${tagOrDigest}` } };
  }
  if (!TAG.test(tagOrDigest)) {
    return fail("imageTag", "A tag is up to 128 letters, digits, \"_\", \".\" or \"-\", and cannot start with \".\" or \"-\"");
  }
  return { ok: true, ref: { domain, path, tag: tagOrDigest, full: `${domain}/${path}:${tagOrDigest}` } };
}

/** Host-with-port equality where a `*` label in the pattern stands for exactly one DNS label. */
export function hostMatches(pattern: string, host: string): boolean {
  const [patternHost = "", patternPort = ""] = pattern.toLowerCase().split(":");
  const [actualHost = "", actualPort = ""] = host.toLowerCase().split(":");
  if (patternPort !== actualPort) return false;
  const want = patternHost.split(".");
  const got = actualHost.split(".");
  return want.length === got.length && want.every((label, i) => label === "*" || label === got[i]);
}

/**
 * Whether an image's domain is one of the registry's hosts. An empty host list (Public) matches
 * anything: no credentials are attached.
 */
export function imageBelongsTo(ref: Pick<ImageReference, "domain">, registryHosts: string[]): boolean {
  return registryHosts.length === 0 || registryHosts.some((h) => hostMatches(h, ref.domain));
}

export function mismatchMessage(ref: Pick<ImageReference, "domain">, registryLabel: string, registryHosts: string[]): string {
  const hosts = registryHosts.map((h) => h.replace(/^\*\./, "<account>.")).join(" or ");
  return `This image is on ${ref.domain}, but the registry "${registryLabel}" serves ${hosts}: it would be pulled without credentials. Choose the matching registry or prefix the image with ${registryHosts[0]?.replace(/^\*\./, "<account>.")}/`;
}
