import { describe, expect, it } from "vitest";
import { verdictOf } from "./test-verdict";

const fields = "Valid: every GitHub Container Registry field is present and well-formed";

describe("one verdict per Test Connection", () => {
  it("a registry that does not resolve: the plain cause and that saving stays allowed, the DNS code beneath, no 'Registry says'", () => {
    const v = verdictOf(
      {
        ok: false,
        message: fields,
        live: { status: "unreachable", ok: false, host: "ghcr.io", message: "Couldn't reach ghcr.io from this server — the name does not resolve", detail: "DNS lookup failed: ENOTFOUND" } as never,
      },
      { unsaved: true },
    );
    expect(v).toEqual({
      label: "unreachable",
      tone: "amber",
      message: "Couldn't reach ghcr.io from this server — the name does not resolve. You can still save.",
      details: [
        { label: "Fields", text: "Every GitHub Container Registry field is present and well-formed." },
        { label: "Connection", text: "DNS lookup failed: ENOTFOUND." },
      ],
    });
    expect(v.message).not.toMatch(/ENOTFOUND|Valid/);
  });

  it("a registry that answered is quoted as such; a saved registry's verdict does not talk about saving", () => {
    const v = verdictOf({
      ok: false,
      message: fields,
      live: { status: "invalid_credentials", ok: false, host: "ghcr.io", message: "ghcr.io refused these credentials", detail: "HTTP 401 from the token service at https://ghcr.io" } as never,
    });
    expect(v).toMatchObject({ tone: "red", label: "invalid", message: "ghcr.io refused these credentials." });
    expect(v.details).toContainEqual({ label: "Registry says", text: "HTTP 401 from the token service at https://ghcr.io." });
  });

  it("ECR's answer comes from AWS; a success is green with nothing amber about it", () => {
    const v = verdictOf({ ok: true, message: fields, live: { status: "valid", ok: true, message: "Valid: AWS issued a registry token for 1.dkr.ecr.eu-central-1.amazonaws.com", detail: "The token is valid until 2030-01-01T00:00:00.000Z" } as never }, { unsaved: true });
    expect(v).toMatchObject({ tone: "green", message: "Valid: AWS issued a registry token for 1.dkr.ecr.eu-central-1.amazonaws.com." });
    expect(v.details).toContainEqual({ label: "AWS says", text: "The token is valid until 2030-01-01T00:00:00.000Z." });
  });

  it("something that is not a registry is not quoted as a registry", () => {
    const v = verdictOf({ ok: false, message: fields, live: { status: "not_a_registry", ok: false, host: "example.com", message: "example.com answered, but it is not a container registry", detail: "GET /v2/ answered HTTP 200 without the Registry API" } as never });
    expect(v.details.map((d) => d.label)).toEqual(["Fields", "What answered"]);
  });

  it("fields that are not valid, a public registry, and a result recorded before details existed", () => {
    expect(verdictOf({ ok: false, message: "Some fields are not valid", fieldErrors: { "credentials.token": ["Enter the token"] } })).toMatchObject({ tone: "red", label: "invalid fields" });
    expect(verdictOf({ ok: true, message: "Valid", live: { status: "not_applicable", ok: false, message: "Public registries need no credentials: nothing to check" } }, { unsaved: true })).toEqual({
      label: "nothing to check",
      tone: "blue",
      message: "Public registries need no credentials: nothing to check.",
      details: [],
    });
    expect(verdictOf({ ok: false, message: fields, live: { status: "unreachable", ok: false, message: "ghcr.io does not resolve (DNS ENOTFOUND)" } }).details).toHaveLength(1);
  });
});
