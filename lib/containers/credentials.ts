import "server-only";
import type { Registry } from "@/db/schema";
import { env } from "@/lib/env";
import { loginOf, type RegistryType } from "@/lib/registries/catalog";
import { decryptCredentials } from "@/lib/registries/service";
import type { PullCredentials } from "@/lib/deploy/docker-config";
import { ecrPullCredentials } from "@/lib/deploy/ecr";

export type CredentialDeps = { ecrEndpoint?: string };

/**
 * What a pull needs from a stored registry: a username/password and the hosts it is valid for.
 * ECR key pairs are exchanged for a 12-hour token here. Null for Public registries.
 */
export async function pullCredentialsFor(row: Registry, deps: CredentialDeps = {}): Promise<PullCredentials | null> {
  const login = loginOf(row.type as RegistryType, decryptCredentials(row));
  switch (login.kind) {
    case "none":
      return null;
    case "static":
      return { username: login.username, password: login.password, serverKeys: login.serverKeys };
    case "ecr":
      return ecrPullCredentials(login, { endpoint: deps.ecrEndpoint ?? env().ecrEndpointUrl });
  }
}

/** The same shape for a preview, without a secret and without calling AWS. */
export function previewCredentialsFor(row: Registry, imageDomain: string): PullCredentials | null {
  const login = loginOf(row.type as RegistryType, decryptCredentials(row));
  if (login.kind === "none") return null;
  if (login.kind === "ecr") return { username: "AWS", password: "****", serverKeys: [imageDomain] };
  return { username: login.username, password: "****", serverKeys: login.serverKeys };
}
