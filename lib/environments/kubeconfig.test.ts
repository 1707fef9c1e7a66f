import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { checkKubeconfig } from "./kubeconfig";

const kubeconfig = (user: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: "c", cluster: { server: "https://k8s.example.com:6443", "certificate-authority-data": "Zm9v" } }],
    users: [{ name: "u", user }],
    contexts: [{ name: "ctx", context: { cluster: "c", user: "u" } }],
    "current-context": "ctx",
    ...extra,
  });

describe("pasted kubeconfig", () => {
  it("accepts token, client certificate and basic auth, and summarises the target", () => {
    expect(checkKubeconfig(kubeconfig({ token: "abc" }))).toMatchObject({
      ok: true,
      summary: { server: "https://k8s.example.com:6443", context: "ctx", user: "u" },
      target: { server: "https://k8s.example.com:6443", caData: "Zm9v", token: "abc", skipTLSVerify: false },
    });
    expect(checkKubeconfig(kubeconfig({ "client-certificate-data": "Zm9v", "client-key-data": "YmFy" })).ok).toBe(true);
    expect(checkKubeconfig(kubeconfig({ username: "admin", password: "pw" })).ok).toBe(true);
  });

  it("refuses exec and auth-provider, saying they would run commands on this server", () => {
    const exec = checkKubeconfig(kubeconfig({ exec: { apiVersion: "client.authentication.k8s.io/v1", command: "aws", args: ["eks", "get-token"] } }));
    expect(exec).toEqual({ ok: false, message: expect.stringContaining("exec, which would run a command on this server") });
    const provider = checkKubeconfig(kubeconfig({ "auth-provider": { name: "gcp" } }));
    expect(provider).toEqual({ ok: false, message: expect.stringContaining("auth-provider") });
  });

  it("refuses files on the dashboard's disk, broken YAML and dangling references", () => {
    expect(checkKubeconfig(kubeconfig({ tokenFile: "/var/run/secrets/token" })).ok).toBe(false);
    expect(checkKubeconfig("clusters: [unclosed")).toEqual({ ok: false, message: expect.stringContaining("Not valid YAML") });
    expect(checkKubeconfig(kubeconfig({ token: "t" }, { "current-context": "nope" }))).toEqual({ ok: false, message: expect.stringContaining('"nope" is not among') });
    expect(checkKubeconfig("")).toEqual({ ok: false, message: "Paste a kubeconfig" });
    expect(checkKubeconfig("x".repeat(300_000)).ok).toBe(false);
  });

  it("refuses what another YAML parser could read differently: repeated names, merge keys, repeated keys", () => {
    const twice = stringify({
      clusters: [{ name: "c", cluster: { server: "https://k8s.example.com" } }],
      users: [
        { name: "u", user: { exec: { command: "/bin/sh", args: ["-c", "touch /tmp/pwned"] } } },
        { name: "u", user: { token: "x" } },
      ],
      contexts: [{ name: "ctx", context: { cluster: "c", user: "u" } }],
      "current-context": "ctx",
    });
    expect(checkKubeconfig(twice)).toMatchObject({ ok: false });
    const sameNameSafe = twice.replace("exec:", "token: y\n      ignored:");
    expect(checkKubeconfig(sameNameSafe)).toEqual({ ok: false, message: expect.stringContaining("appears twice") });
    const merged = [
      "clusters: [{name: c, cluster: {server: 'https://k8s.example.com'}}]",
      "contexts: [{name: ctx, context: {cluster: c, user: u}}]",
      "current-context: ctx",
      "base: &base {exec: {command: sh}}",
      "users:",
      "- name: u",
      "  user:",
      "    <<: *base",
      "    token: x",
    ].join("\n");
    expect(checkKubeconfig(merged)).toEqual({ ok: false, message: expect.stringContaining("merge keys") });
    expect(checkKubeconfig(kubeconfig({ token: "a" }).replace("token: a", "token: a\n      token: b")).ok).toBe(false);
    expect(checkKubeconfig(kubeconfig({ "token-file": "/etc/shadow" }))).toEqual({ ok: false, message: expect.stringContaining("points at files on disk") });
  });

  it("a context naming its cluster or user with a mapping is a field error, not a crash", () => {
    const odd = [
      "clusters: [{name: c, cluster: {server: 'https://k8s.example.com'}}]",
      "users: [{name: u, user: {token: x}}]",
      "contexts: [{name: ctx, context: {cluster: {toString: 1}, user: {toString: 1}}}]",
      "current-context: ctx",
    ].join("\n");
    expect(checkKubeconfig(odd)).toEqual({ ok: false, message: expect.stringContaining("names no cluster") });
  });
});
