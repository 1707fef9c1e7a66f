import { afterEach, describe, expect, it, vi } from "vitest";
import { stringify } from "yaml";
import { egressPolicy } from "@/lib/egress";
import { kubeClients } from "./kubernetes";

const kubeconfig = (token: string) =>
  stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: "c", cluster: { server: "https://kube.example.test:6443" } }],
    users: [{ name: "u", user: { token } }],
    contexts: [{ name: "ctx", context: { cluster: "c", user: "u" } }],
    "current-context": "ctx",
  });

describe("kubeClients", () => {
  afterEach(() => vi.useRealTimers());

  it("keeps one set of clients per kubeconfig text and egress policy, and makes them afresh after ten minutes", () => {
    vi.useFakeTimers();
    const policy = egressPolicy([]);
    const first = kubeClients({ kubeconfig: kubeconfig("token-one-0123456789") }, { policy });
    expect(kubeClients({ kubeconfig: kubeconfig("token-one-0123456789") }, { policy })).toBe(first);
    // A rotated token is a new text; another policy (an operator's change) gets its own clients.
    expect(kubeClients({ kubeconfig: kubeconfig("token-two-0123456789") }, { policy })).not.toBe(first);
    expect(kubeClients({ kubeconfig: kubeconfig("token-one-0123456789") }, { policy: egressPolicy(["10.0.0.0/8"]) })).not.toBe(first);
    vi.advanceTimersByTime(10 * 60_000);
    expect(kubeClients({ kubeconfig: kubeconfig("token-one-0123456789") }, { policy })).not.toBe(first);
  });
});
