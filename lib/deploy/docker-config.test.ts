import { describe, expect, it } from "vitest";
import { loginOf, type RegistryType } from "@/lib/registries/catalog";
import { EXAMPLE_CREDENTIALS } from "@/lib/registries/examples";
import { basicAuth, dockerConfigJson, loginServerFor, type PullCredentials } from "./docker-config";

function configFor(type: RegistryType, overrides: Record<string, string> = {}) {
  const login = loginOf(type, { ...EXAMPLE_CREDENTIALS[type], ...overrides });
  if (login.kind !== "static") throw new Error(`${type} has no static login`);
  return JSON.parse(dockerConfigJson(login)) as { auths: Record<string, { username: string; password: string; auth: string }> };
}

describe(".dockerconfigjson per registry type (registry-facts §1-3)", () => {
  it("Docker Hub is keyed by https://index.docker.io/v1/, not registry-1.docker.io", () => {
    expect(Object.keys(configFor("Docker").auths)).toEqual(["https://index.docker.io/v1/"]);
  });

  it("GHCR and Quay are keyed by their hosts, with the user's name and token", () => {
    expect(configFor("GHCR").auths["ghcr.io"]).toMatchObject({ username: "octocat", password: EXAMPLE_CREDENTIALS.GHCR.token });
    expect(configFor("Quay").auths["quay.io"]).toMatchObject({ username: "myorg+deployer", password: EXAMPLE_CREDENTIALS.Quay.token });
  });

  it("ACR uses the login server verbatim (also .azurecr.cn and .azurecr.us)", () => {
    expect(Object.keys(configFor("ACR").auths)).toEqual(["contosoregistry.azurecr.io"]);
    expect(Object.keys(configFor("ACR", { loginServer: "contosoregistry.azurecr.cn" }).auths)).toEqual(["contosoregistry.azurecr.cn"]);
  });

  it("GCR writes one entry per host, as _json_key with the whole key JSON", () => {
    const auths = configFor("GCR").auths;
    expect(Object.keys(auths)).toEqual(["gcr.io", "us.gcr.io", "eu.gcr.io", "asia.gcr.io"]);
    for (const entry of Object.values(auths)) {
      expect(entry.username).toBe("_json_key");
      expect(JSON.parse(entry.password)).toMatchObject({ type: "service_account", client_email: expect.stringContaining("@") });
    }
  });

  it("GAR is keyed by <location>-docker.pkg.dev, multi-region included", () => {
    expect(Object.keys(configFor("GAR").auths)).toEqual(["us-central1-docker.pkg.dev"]);
    expect(Object.keys(configFor("GAR", { region: "europe" }).auths)).toEqual(["europe-docker.pkg.dev"]);
  });

  it("Custom is keyed by host[:port], scheme and path stripped", () => {
    expect(Object.keys(configFor("Custom").auths)).toEqual(["registry.example.com:5000"]);
    expect(Object.keys(configFor("Custom", { url: "https://Registry.Example.com" }).auths)).toEqual(["registry.example.com"]);
  });

  it("Public and ECR have no static login", () => {
    expect(loginOf("Public", {}).kind).toBe("none");
    expect(loginOf("ECR", EXAMPLE_CREDENTIALS.ECR)).toMatchObject({ kind: "ecr", region: "eu-central-1" });
  });

  it("writes auth as padded standard base64 of user:pass, consistent with username and password", () => {
    const creds: PullCredentials = { username: "u", password: "p+/=ä", serverKeys: ["h"] };
    const entry = JSON.parse(dockerConfigJson(creds)).auths.h;
    expect(entry.auth).toBe(basicAuth("u", "p+/=ä"));
    expect(Buffer.from(entry.auth, "base64").toString("utf8")).toBe(`${entry.username}:${entry.password}`);
    expect(basicAuth("ab", "c")).toBe("YWI6Yw==");
  });

  it("refuses a user name with a colon", () => {
    expect(() => dockerConfigJson({ username: "a:b", password: "p", serverKeys: ["h"] })).toThrow(/colon/);
  });

  it("logs in to the image's own host (docker matches exact hosts)", () => {
    const gcr: PullCredentials = { username: "_json_key", password: "{}", serverKeys: ["gcr.io", "us.gcr.io"] };
    expect(loginServerFor(gcr, "us.gcr.io")).toBe("us.gcr.io");
    expect(loginServerFor({ username: "u", password: "p", serverKeys: ["https://index.docker.io/v1/"] }, "docker.io")).toBe("https://index.docker.io/v1/");
  });
});
