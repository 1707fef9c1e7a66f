/**
 * Registry credentials as a client pulls with them: the `.dockerconfigjson` payload of a
 * Kubernetes pull secret (registry-facts.md §1-2) and the server a `docker login` targets.
 */

export type PullCredentials = {
  username: string;
  password: string;
  /** The `auths` keys to write: one per host the credentials are valid for. */
  serverKeys: string[];
  /** Set for ECR tokens (12 hours); static credentials do not expire. */
  expiresAt?: Date;
};

/** Padded standard base64 of `user:pass`, which wins over username/password in kubelet and docker. */
export function basicAuth(username: string, password: string): string {
  return Buffer.from(`${username}:${password}`, "utf8").toString("base64");
}

/** `{"auths": {"<key>": {"username", "password", "auth"}}}`, the three fields kept consistent. */
export function dockerConfigJson(creds: PullCredentials): string {
  if (creds.username.includes(":")) {
    // Both kubelet and docker split `auth` on the first colon: such a user name cannot log in.
    throw new Error("A registry user name cannot contain a colon");
  }
  const entry = { username: creds.username, password: creds.password, auth: basicAuth(creds.username, creds.password) };
  return JSON.stringify({ auths: Object.fromEntries(creds.serverKeys.map((key) => [key, entry])) });
}

/**
 * The server argument of `docker login` for an image on `imageDomain`: the Docker CLI matches
 * credentials by exact host, so log in to the image's own host (Docker Hub's is its v1 URL).
 */
export function loginServerFor(creds: PullCredentials, imageDomain: string): string {
  if (imageDomain === "docker.io") return "https://index.docker.io/v1/";
  return creds.serverKeys.find((key) => key === imageDomain) ?? imageDomain;
}
