import type { RegistryInput, RegistryType } from "./catalog";

/**
 * One valid example per registry type: used by unit tests, the access matrix, the browser
 * tests and the benchmark. The secrets are made up and shaped like the real ones.
 */
export const FAKE_PRIVATE_KEY =
  "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7fakefakefake\n-----END PRIVATE KEY-----\n";

export const serviceAccountKeyJson = (project = "demo-project") =>
  JSON.stringify(
    {
      type: "service_account",
      project_id: project,
      private_key_id: "0123456789abcdef0123456789abcdef01234567",
      private_key: FAKE_PRIVATE_KEY,
      client_email: `puller@${project}.iam.gserviceaccount.com`,
      client_id: "123456789012345678901",
      token_uri: "https://oauth2.googleapis.com/token",
    },
    null,
    2,
  );

export const EXAMPLE_CREDENTIALS: Record<RegistryType, Record<string, string>> = {
  GHCR: { username: "octocat", token: "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8" },
  Docker: { username: "mydockerid", password: "dckr_pat_" + "x7Yz0AbCdEfGhIjKlMnOpQrStUv" },
  ECR: { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", region: "eu-central-1" },
  ACR: { loginServer: "contosoregistry.azurecr.io", username: "contosoregistry", password: "acr-Pa55word+with/symbols=" },
  GCR: { serviceAccountKey: serviceAccountKeyJson() },
  GAR: { serviceAccountKey: serviceAccountKeyJson("gar-project"), region: "us-central1" },
  Quay: { username: "myorg+deployer", token: "QUAYROBOTTOKEN0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ABCD" },
  Custom: { url: "https://registry.example.com:5000", username: "deployer", password: "s3cret-registry-password" },
  Public: {},
};

export function exampleInput(type: RegistryType, name = `${type} registry`): RegistryInput {
  return { type, name, credentials: { ...EXAMPLE_CREDENTIALS[type] } };
}
