import "./support/allow-loopback";
import { beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { stringify } from "yaml";
import { db } from "@/db";
import { containers, environments, registries, teams } from "@/db/schema";
import { signInSchema, signUpSchema } from "@/lib/auth/schemas";
import { containerActions } from "@/lib/containers/actions";
import { environmentActions } from "@/lib/environments/actions";
import { REGISTRY_TYPES } from "@/lib/registries/catalog";
import { registryActions } from "@/lib/registries/actions";
import { EXAMPLE_CREDENTIALS, exampleInput } from "@/lib/registries/examples";
import { teamActions } from "@/lib/teams/actions";
import { parseActionInput } from "@/lib/actions/safe-action";
import { NOT_PLAIN } from "@/lib/validation/plain-data";
import { UNSTORABLE_TEXT } from "@/lib/validation/text";
import { newUser } from "./fixtures";

/** A lone high surrogate, a lone low surrogate and a NUL: none of them can be saved as typed. */
const UNSTORABLE = ["x\ud800", "\udc00y", "a\u0000b"];

/** What React's reply decoder makes of "$T": a function proxy that throws on any property access. */
const temporaryReference = () =>
  new Proxy(() => {}, {
    get(_target, name) {
      throw new Error(`Cannot access ${String(name)} on the server`);
    },
  });

const kubeconfig = (contextName = "ctx") =>
  stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: "c", cluster: { server: "https://127.0.0.1:6443" } }],
    users: [{ name: "u", user: { token: "kube-token" } }],
    contexts: [{ name: contextName, context: { cluster: "c", user: "u" } }],
    "current-context": contextName,
  });

/** Every field error is NOT_PLAIN on `field` or inside it (a cycle is reported where it closes). */
const refusedUnder = (fieldErrors: Record<string, string[]> | undefined, field: string) =>
  Object.keys(fieldErrors ?? {}).length > 0 && Object.entries(fieldErrors ?? {}).every(([key, messages]) => (key === field || key.startsWith(`${field}.`)) && messages.includes(NOT_PLAIN));

let owner: Awaited<ReturnType<typeof newUser>>;
let teamSlug: string;
let environmentId: string;

/** Everything the team has saved, to show a refused input changed none of it. */
async function saved() {
  const teamId = owner.team.id;
  return {
    registries: await db().select().from(registries).where(eq(registries.teamId, teamId)).orderBy(registries.id),
    environments: await db().select().from(environments).where(eq(environments.teamId, teamId)).orderBy(environments.id),
    containers: await db().select().from(containers).where(eq(containers.teamId, teamId)).orderBy(containers.id),
    team: await db().select().from(teams).where(eq(teams.id, teamId)),
  };
}

beforeAll(async () => {
  owner = await newUser("input");
  teamSlug = owner.team.slug;
  const env = await environmentActions.create(owner.session, { teamSlug, name: "prod", slug: `prod-${owner.team.id.slice(-6)}`, orchestrator: "kubernetes", kubeconfig: kubeconfig() });
  if (!env.ok) throw new Error(JSON.stringify(env));
  environmentId = env.data.environmentId;
});

describe("ill-formed Unicode and NUL are field errors on every text field, and nothing is saved", () => {
  it("registry create: the name and every credential field of every type", async () => {
    const before = await saved();
    for (const def of REGISTRY_TYPES) {
      for (const bad of UNSTORABLE) {
        const input = exampleInput(def.type, `bad ${def.type}`);
        const r = await registryActions.create(owner.session, { teamSlug, ...input, name: bad });
        expect(r, `${def.type} name`).toMatchObject({ ok: false, code: "invalid", fieldErrors: { name: [UNSTORABLE_TEXT] } });
        for (const field of Object.keys(def.fields)) {
          const r = await registryActions.create(owner.session, { teamSlug, ...input, credentials: { ...input.credentials, [field]: bad } });
          expect(r, `${def.type}.${field} ${JSON.stringify(bad)}`).toMatchObject({ ok: false, code: "invalid", fieldErrors: { [`credentials.${field}`]: [UNSTORABLE_TEXT] } });
        }
      }
    }
    expect(await saved()).toEqual(before);
  });

  it("registry update: the name and every credential field of every type; the stored registry stays as it was", async () => {
    for (const def of REGISTRY_TYPES) {
      const created = await registryActions.create(owner.session, { teamSlug, ...exampleInput(def.type, `update ${def.type}`) });
      if (!created.ok) throw new Error(JSON.stringify(created));
      const registryId = created.data.registryId;
      const before = await saved();
      for (const bad of UNSTORABLE) {
        expect(await registryActions.update(owner.session, { teamSlug, registryId, name: bad })).toMatchObject({ ok: false, fieldErrors: { name: [UNSTORABLE_TEXT] } });
        for (const field of Object.keys(def.fields)) {
          const r = await registryActions.update(owner.session, { teamSlug, registryId, credentials: { ...EXAMPLE_CREDENTIALS[def.type], [field]: bad } });
          expect(r, `${def.type}.${field}`).toMatchObject({ ok: false, code: "invalid", fieldErrors: { [`credentials.${field}`]: [UNSTORABLE_TEXT] } });
        }
      }
      expect(await saved()).toEqual(before);
    }
  });

  it("environment create: every text field, and names that YAML escapes put into the kubeconfig", async () => {
    const before = await saved();
    const valid = { teamSlug, name: "staging", slug: "staging", orchestrator: "kubernetes", kubeconfig: kubeconfig() };
    for (const bad of UNSTORABLE) {
      for (const field of ["name", "slug", "kubeconfig"]) {
        expect(await environmentActions.create(owner.session, { ...valid, [field]: bad }), field).toMatchObject({ ok: false, fieldErrors: { [field]: expect.arrayContaining([expect.any(String)]) } });
      }
      expect(await environmentActions.create(owner.session, { ...valid, name: bad })).toMatchObject({ fieldErrors: { name: [UNSTORABLE_TEXT] } });
      expect(await environmentActions.create(owner.session, { ...valid, kubeconfig: kubeconfig() + `# ${bad}` })).toMatchObject({ fieldErrors: { kubeconfig: [UNSTORABLE_TEXT] } });
      const docker = { ...valid, orchestrator: "swarm", kubeconfig: "", dockerHost: "ssh://deploy@127.0.0.1" };
      for (const field of ["dockerHost", "sshPrivateKey", "tlsCa", "tlsCert", "tlsKey"]) {
        expect(await environmentActions.create(owner.session, { ...docker, [field]: bad }), field).toMatchObject({ ok: false, fieldErrors: { [field]: [UNSTORABLE_TEXT] } });
      }
    }
    // "\0" and "\ud800" are valid YAML escapes: the kubeconfig text is clean, the context name it declares is not.
    for (const escape of ["\\0", "\\ud800"]) {
      const r = await environmentActions.create(owner.session, { ...valid, kubeconfig: kubeconfig("ctx").replaceAll("ctx", `"ctx${escape}"`) });
      expect(r, escape).toMatchObject({ ok: false, fieldErrors: { kubeconfig: [expect.stringContaining("NUL or an unpaired surrogate")] } });
    }
    expect(await saved()).toEqual(before);
  });

  it("container create: image name, tag and name", async () => {
    const before = await saved();
    const valid = { teamSlug, environmentId, name: "web", imageName: "nginx", imageTag: "1.27" };
    for (const bad of UNSTORABLE) {
      for (const field of ["imageName", "imageTag"]) {
        expect(await containerActions.create(owner.session, { ...valid, [field]: bad }), field).toMatchObject({ ok: false, fieldErrors: { [field]: [UNSTORABLE_TEXT] } });
      }
      expect(await containerActions.create(owner.session, { ...valid, name: bad })).toMatchObject({ ok: false, code: "invalid" });
    }
    expect(await saved()).toEqual(before);
  });

  it("teams and members: team name, member e-mail, member ids (a NUL used to reach the query)", async () => {
    const before = await saved();
    for (const bad of UNSTORABLE) {
      expect(await teamActions.create(owner.session, { name: bad })).toMatchObject({ ok: false, fieldErrors: { name: [UNSTORABLE_TEXT] } });
      expect(await teamActions.addMember(owner.session, { teamSlug, email: `a${bad}@example.test`, role: "member" })).toMatchObject({ ok: false, fieldErrors: { email: [UNSTORABLE_TEXT] } });
      expect(await teamActions.changeRole(owner.session, { teamSlug, userId: bad, role: "member" })).toMatchObject({ ok: false, fieldErrors: { userId: [UNSTORABLE_TEXT] } });
      expect(await teamActions.removeMember(owner.session, { teamSlug, userId: bad })).toMatchObject({ ok: false, fieldErrors: { userId: [UNSTORABLE_TEXT] } });
      // The team is looked up before the input is parsed: an unusable slug is a team that does not exist.
      expect(await registryActions.list(owner.session, { teamSlug: `${teamSlug}${bad}` })).toMatchObject({ ok: false, code: "not_found" });
      expect(await registryActions.list(owner.session, { teamSlug, search: bad })).toMatchObject({ ok: false, fieldErrors: { search: [UNSTORABLE_TEXT] } });
    }
    expect(await saved()).toEqual(before);
  });

  it("sign-up and sign-in: name, e-mail, password, callback URL", () => {
    const signUp = { name: "Ada", email: "ada@example.test", password: "long enough password" };
    const signIn = { email: "ada@example.test", password: "long enough password", callbackUrl: "/t/x" };
    for (const bad of UNSTORABLE) {
      for (const field of ["name", "email", "password"]) {
        expect(parseActionInput(signUpSchema, { ...signUp, [field]: `${bad}long enough` }), field).toEqual({ success: false, fieldErrors: { [field]: [UNSTORABLE_TEXT] } });
      }
      for (const field of ["email", "password", "callbackUrl"]) {
        expect(parseActionInput(signInSchema, { ...signIn, [field]: bad }), field).toEqual({ success: false, fieldErrors: { [field]: [UNSTORABLE_TEXT] } });
      }
    }
  });
});

describe("values the reply decoder makes but JSON cannot express are field errors, never internal errors", () => {
  it("a temporary reference, a Date, a Map or a cycle in any field of the create and update actions", async () => {
    const created = await registryActions.create(owner.session, { teamSlug, ...exampleInput("Custom", "decoder values") });
    if (!created.ok) throw new Error(JSON.stringify(created));
    const before = await saved();
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    for (const odd of [temporaryReference(), new Date(0), new Map(), cycle]) {
      const calls = [
        registryActions.create(owner.session, { teamSlug, type: "Custom", name: odd, credentials: EXAMPLE_CREDENTIALS.Custom }),
        registryActions.create(owner.session, { teamSlug, type: "Custom", name: "x", credentials: { ...EXAMPLE_CREDENTIALS.Custom, password: odd } }),
        registryActions.update(owner.session, { teamSlug, registryId: created.data.registryId, name: odd }),
        registryActions.update(owner.session, { teamSlug, registryId: created.data.registryId, credentials: odd }),
        environmentActions.create(owner.session, { teamSlug, name: odd, slug: "odd", orchestrator: "kubernetes", kubeconfig: kubeconfig() }),
        containerActions.create(owner.session, { teamSlug, environmentId, name: "web", imageName: odd, imageTag: "1" }),
        teamActions.create(owner.session, { name: odd }),
      ];
      for (const r of await Promise.all(calls)) {
        expect(r).toMatchObject({ ok: false, code: "invalid" });
        if (!r.ok) expect(Object.values(r.fieldErrors ?? {}).flat()).toContain(NOT_PLAIN);
      }
      const slugResult = await registryActions.create(owner.session, { teamSlug: odd, type: "Public", name: "x" });
      expect(slugResult).toMatchObject({ ok: false, code: "invalid" });
      if (!slugResult.ok) expect(refusedUnder(slugResult.fieldErrors, "teamSlug")).toBe(true);
      const signIn = parseActionInput(signInSchema, { email: odd, password: "x" });
      expect(signIn.success).toBe(false);
      if (!signIn.success) expect(refusedUnder(signIn.fieldErrors, "email")).toBe(true);
    }
    expect(await saved()).toEqual(before);
  });
});
