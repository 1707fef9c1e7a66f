import { afterEach, describe, expect, it, vi } from "vitest";
import { registryActions } from "@/lib/registries/actions";
import { targetOf } from "@/lib/actions/action-log";
import { logger } from "@/lib/logger";
import { newUser } from "./fixtures";

/** Every server action leaves one operator log line: who, team, action, target, outcome, duration; never its input. */

function captureLog() {
  const lines: Record<string, unknown>[] = [];
  for (const level of ["info", "warn", "error"] as const) {
    vi.spyOn(logger, level).mockImplementation(((obj: unknown) => void lines.push(obj as Record<string, unknown>)) as never);
  }
  return lines;
}

afterEach(() => vi.restoreAllMocks());

describe("the action log", () => {
  it("records a saved registry with its creator, team, new id and duration, and no credential", async () => {
    const owner = await newUser("logged");
    const password = "action-log-secret-password-1234";
    const lines = captureLog();
    const saved = await registryActions.create(owner.session, { teamSlug: owner.team.slug, name: "logged", type: "Custom", credentials: { url: "https://registry.example.com", username: "u", password } });
    expect(saved.ok).toBe(true);
    const entry = lines.find((l) => l.action === "registry.create");
    expect(entry).toEqual({ requestId: undefined, action: "registry.create", userId: owner.user.id, teamId: owner.team.id, registryId: saved.ok ? saved.data.registryId : "", outcome: "ok", durationMs: expect.any(Number) });
    expect(JSON.stringify(lines)).not.toContain(password);
  });

  it("records refusals with their code: another team is not found, a bad input is invalid", async () => {
    const [owner, outsider] = [await newUser("owner"), await newUser("outsider")];
    const lines = captureLog();
    await registryActions.create(outsider.session, { teamSlug: owner.team.slug, name: "x", type: "Custom", credentials: {} });
    await registryActions.create(owner.session, { teamSlug: owner.team.slug, name: "", type: "Custom", credentials: { password: "refused-secret-0987" } });
    expect(lines.filter((l) => l.action === "registry.create").map((l) => [l.userId, l.teamId, l.outcome])).toEqual([
      [outsider.user.id, undefined, "not_found"],
      [owner.user.id, owner.team.id, "invalid"],
    ]);
    expect(JSON.stringify(lines)).not.toContain("refused-secret-0987");
  });

  it("takes only id-shaped values of …Id fields as the target", () => {
    expect(targetOf({ registryId: "reg-k3j9x0a1b2c4", password: "x", userId: "not an id", name: "n" }, { containerId: "ctr-abcdef123456" })).toEqual({ registryId: "reg-k3j9x0a1b2c4", containerId: "ctr-abcdef123456" });
  });
});
