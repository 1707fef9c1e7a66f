import { describe, expect, it } from "vitest";
import { parseRegistryDocument, registryDocumentYaml } from "./import-export";
import { EXAMPLE_CREDENTIALS } from "./examples";

describe("registry documents", () => {
  it("reads YAML and JSON into form values", () => {
    const yaml = `name: ci pulls\ntype: GHCR\ncredentials:\n  username: octocat\n  token: ${EXAMPLE_CREDENTIALS.GHCR.token}\n`;
    expect(parseRegistryDocument(yaml)).toEqual({ ok: true, value: { name: "ci pulls", type: "GHCR", credentials: EXAMPLE_CREDENTIALS.GHCR } });
    const json = JSON.stringify({ name: "hub", type: "docker", credentials: { username: "me" } });
    expect(parseRegistryDocument(json)).toEqual({ ok: true, value: { name: "hub", type: "Docker", credentials: { username: "me", password: "" } } });
  });

  it("accepts a service-account key written as a nested object", () => {
    const r = parseRegistryDocument(JSON.stringify({ name: "g", type: "GCR", credentials: { serviceAccountKey: { type: "service_account" } } }));
    expect(r.ok && JSON.parse(r.value.credentials.serviceAccountKey!)).toEqual({ type: "service_account" });
  });

  it.each([
    ["name: [", /^Not valid YAML or JSON/],
    ["- a\n- b", /Expected an object/],
    ["name: x\ntype: Harbor", /"type" must be one of GHCR, Docker/],
    ["name: x\ntype: Quay\ncredentials:\n  password: y", /Unknown field for Red Hat Quay: password \(expected username, token\)/],
    ["name: x\ntype: Quay\nteam: other", /Unknown top-level field: team/],
    ["name: 3\ntype: Quay", /"name" must be text/],
    ["type: ECR\ncredentials:\n  region: 5", /credentials.region must be text/],
  ])("refuses %j", (text, message) => {
    const r = parseRegistryDocument(text);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error).toMatch(message);
  });

  it("exports the same shape, round-tripping through import", () => {
    const yaml = registryDocumentYaml({ name: "acr", type: "ACR", credentials: { loginServer: "contoso01.azurecr.io", username: "contoso01" } });
    expect(parseRegistryDocument(yaml)).toEqual({ ok: true, value: { name: "acr", type: "ACR", credentials: { loginServer: "contoso01.azurecr.io", username: "contoso01", password: "" } } });
  });
});
