import { describe, expect, it } from "vitest";
import {
  REGISTRY_TYPES,
  credentialsSchemaFor,
  fieldNames,
  imageHostsOf,
  loginOf,
  registryInputSchema,
  registryTypeViews,
  secretFieldNames,
  splitCredentials,
  updateSchemaFor,
  type RegistryType,
} from "./catalog";
import { EXAMPLE_CREDENTIALS, exampleInput, serviceAccountKeyJson } from "./examples";

/** The first message zod gives for `field` when `value` replaces the valid example's value. */
function messageFor(type: RegistryType, field: string, value: unknown): string | undefined {
  const r = credentialsSchemaFor(type).safeParse({ ...EXAMPLE_CREDENTIALS[type], [field]: value });
  if (r.success) return undefined;
  return r.error.issues.find((i) => i.path[0] === field)?.message ?? r.error.issues[0]?.message;
}

const keyWith = (patch: Record<string, unknown>) => JSON.stringify({ ...JSON.parse(serviceAccountKeyJson()), ...patch });

// Each type: at least five distinct invalid inputs and the exact message each gets.
const INVALID: Record<Exclude<RegistryType, "Public">, Array<[field: string, value: unknown, message: string]>> = {
  GHCR: [
    ["username", "", "Enter the username"],
    ["username", "-octocat", "A GitHub username cannot start or end with a hyphen, or have two in a row"],
    ["username", "octo_cat", "A GitHub username has only letters, digits and hyphens"],
    ["token", "glpat-abcdefghijklmnopqrst", "A GitHub token starts with ghp_ (classic), github_pat_ (fine-grained), gho_, ghu_ or ghs_"],
    ["token", "ghp_short", "This ghp_ token looks cut off: it is ghp_ followed by at least 36 letters and digits"],
    ["token", "github_pat_short", "This fine-grained token looks cut off: github_pat_ followed by letters, digits and underscores"],
    ["token", "ghp_abc def", "Token must not contain spaces"],
  ],
  Docker: [
    ["username", "me@example.com", "Use your Docker ID (shown on hub.docker.com), not your e-mail address"],
    ["username", "My_Id", "A Docker ID has only lower-case letters and digits"],
    ["username", "abc", "A Docker ID is 4 to 30 characters long"],
    ["username", 42, "Docker ID must be text"],
    ["password", "", "Enter the access token"],
    ["password", "x".repeat(1_000_000), "Access token must be at most 1024 characters"],
  ],
  ECR: [
    ["accessKeyId", "ABCDIOSFODNN7EXAMPLE", "An access key ID starts with AKIA (long-term) or ASIA (temporary)"],
    ["accessKeyId", "AKIAshort", "An access key ID is AKIA or ASIA followed by 16 upper-case letters or digits"],
    ["secretAccessKey", "tooshort", "A secret access key is exactly 40 characters (this one has 8)"],
    ["secretAccessKey", "wJalrXUtnFEMI-K7MDENG-bPxRfiCYEXAMPLEKEY", "A secret access key has only letters, digits, / and +"],
    ["region", "europe-1", "Use an AWS region code such as us-east-1, eu-central-1 or ap-southeast-2"],
    ["region", "", "Enter the region"],
  ],
  ACR: [
    ["loginServer", "https://contoso.azurecr.io", "Enter the login server without https://, like myregistry.azurecr.io"],
    ["loginServer", "contoso.example.com", "An Azure login server ends in .azurecr.io (or .azurecr.cn, .azurecr.us)"],
    ["loginServer", "abc.azurecr.io", "The registry name before .azurecr.io is 5 to 50 letters or digits"],
    ["loginServer", "con-toso.azurecr.io", "The registry name before .azurecr.io is 5 to 50 letters or digits"],
    ["username", "app:id", 'Username must not contain ":"'],
    ["password", "", "Enter the password"],
  ],
  GCR: [
    ["serviceAccountKey", "not json", "Paste the whole key file: this is not valid JSON"],
    ["serviceAccountKey", "[1,2]", "A key file is a JSON object"],
    ["serviceAccountKey", keyWith({ type: "authorized_user" }), 'This is not a service-account key: "type" must be "service_account"'],
    ["serviceAccountKey", keyWith({ client_email: "nope" }), 'The key has no valid "client_email"'],
    ["serviceAccountKey", keyWith({ private_key: "abc" }), 'The key\'s "private_key" is not a PEM private key'],
    ["serviceAccountKey", keyWith({ project_id: "" }), 'The key has no "project_id"'],
    ["serviceAccountKey", keyWith({ token_uri: undefined }), 'The key has no valid "token_uri"'],
  ],
  GAR: [
    ["region", "mars-central1x", "Use a location such as us-central1, europe-west4, or a multi-region: us, europe, asia"],
    ["region", "US", "Use a location such as us-central1, europe-west4, or a multi-region: us, europe, asia"],
    ["region", "", "Enter the location"],
    ["serviceAccountKey", "", "Paste the service-account key JSON"],
    ["serviceAccountKey", "{}", 'This is not a service-account key: "type" must be "service_account"'],
  ],
  Quay: [
    ["username", "MyOrg", "Use a Quay username or a robot account like myorg+deployer (lower-case letters, digits, underscores)"],
    ["username", "myorg+", "Use a Quay username or a robot account like myorg+deployer (lower-case letters, digits, underscores)"],
    ["username", "a", "Use a Quay username or a robot account like myorg+deployer (lower-case letters, digits, underscores)"],
    ["username", "line\nbreak", "Username must not contain control characters or line breaks"],
    ["token", "", "Enter the token"],
    ["token", "tok\u0007en", "Token must not contain control characters or line breaks"],
  ],
  Custom: [
    ["url", "registry.example.com", "Enter a URL like https://registry.example.com or http://10.0.0.5:5000"],
    ["url", "ftp://registry.example.com", "The URL must start with https:// or http://"],
    ["url", "https://user:pw@registry.example.com", "Do not put credentials in the URL: use the username and password fields"],
    ["url", "https://registry.example.com/v2/project", "Give only the registry's address, without a path (images are named host[:port]/path)"],
    ["url", "https://registry.example.com/?x=1", "The URL must not have a query or fragment"],
    ["username", "a:b", 'Username must not contain ":"'],
    ["password", "", "Enter the password"],
  ],
};

describe("registry catalog", () => {
  it("has the nine types in order", () => {
    expect(REGISTRY_TYPES.map((t) => t.type)).toEqual(["GHCR", "Docker", "ECR", "ACR", "GCR", "GAR", "Quay", "Custom", "Public"]);
  });

  for (const def of REGISTRY_TYPES) {
    it(`${def.type}: the example is valid through the input union`, () => {
      const r = registryInputSchema.safeParse(exampleInput(def.type));
      expect(r.success, JSON.stringify(!r.success && r.error.issues)).toBe(true);
    });
  }

  for (const [type, cases] of Object.entries(INVALID) as [Exclude<RegistryType, "Public">, (typeof INVALID)["GHCR"]][]) {
    describe(`${type}: invalid inputs`, () => {
      it.each(cases)("%s = %j → %s", (field, value, message) => {
        expect(messageFor(type, field, value)).toBe(message);
      });
      it("has at least five distinct cases", () => {
        expect(new Set(cases.map(([f, v]) => `${f}=${String(v)}`)).size).toBeGreaterThanOrEqual(5);
      });
    });
  }

  it("names a missing field, an extra field and an unknown type", () => {
    const missing = registryInputSchema.safeParse({ type: "GHCR", name: "x", credentials: { username: "octocat" } });
    expect(missing.error?.issues.map((i) => [i.path.join("."), i.message])).toEqual([["credentials.token", "Token must be text"]]);
    const extra = registryInputSchema.safeParse({ ...exampleInput("Quay"), credentials: { ...EXAMPLE_CREDENTIALS.Quay, password: "x" } });
    expect(extra.error?.issues[0]?.message).toBe("Unknown field for Red Hat Quay: password");
    const unknownType = registryInputSchema.safeParse({ type: "Harbor", name: "x", credentials: {} });
    expect(unknownType.error?.issues[0]?.message).toBe("Choose a registry type: GHCR, Docker, ECR, ACR, GCR, GAR, Quay, Custom, Public");
    const topExtra = registryInputSchema.safeParse({ ...exampleInput("Public"), teamId: "other" });
    expect(topExtra.success).toBe(false);
  });

  it("checks the registry name: 1-64 characters, no control characters", () => {
    const name = (n: unknown) => registryInputSchema.safeParse({ ...exampleInput("Public"), name: n }).error?.issues[0]?.message;
    expect(name("   ")).toBe("Enter a name for this registry");
    expect(name("x".repeat(65))).toBe("Name must be at most 64 characters");
    expect(name("bad\u0007name")).toBe("Name must not contain control characters or line breaks");
    expect(name("x".repeat(64))).toBeUndefined();
  });

  it("accepts the documented variants", () => {
    const ok = (type: RegistryType, patch: Record<string, string>) =>
      credentialsSchemaFor(type).safeParse({ ...EXAMPLE_CREDENTIALS[type], ...patch }).success;
    expect(ok("GHCR", { token: "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz" })).toBe(true);
    expect(ok("GHCR", { token: "ghs_" + "a".repeat(36) })).toBe(true);
    expect(ok("ECR", { accessKeyId: "ASIAIOSFODNN7EXAMPLE", region: "us-gov-west-1" })).toBe(true);
    expect(ok("ECR", { region: "cn-north-1" })).toBe(true);
    expect(ok("ACR", { loginServer: "ContosoRegistry.azurecr.cn" })).toBe(true);
    expect(ok("ACR", { loginServer: "contoso01.azurecr.us" })).toBe(true);
    expect(ok("GAR", { region: "europe" })).toBe(true);
    expect(ok("Quay", { username: "plainuser" })).toBe(true);
    expect(ok("Custom", { url: "http://10.0.0.5:5000" })).toBe(true);
    expect(ok("Custom", { url: "https://registry.example.com/" })).toBe(true);
  });
});

describe("derived from the catalog", () => {
  it("the form's views: every type and field in catalog order, secrets marked, plain data the browser can take", () => {
    const views = registryTypeViews();
    expect(views.map((v) => v.type)).toEqual(REGISTRY_TYPES.map((t) => t.type));
    const ecr = views.find((v) => v.type === "ECR")!;
    expect(ecr.fields.map((f) => [f.name, f.kind, f.secret])).toEqual([
      ["accessKeyId", "text", false],
      ["secretAccessKey", "secret", true],
      ["region", "select", false],
    ]);
    expect(ecr.fields[2]!.options).toContainEqual({ value: "eu-west-1", label: "eu-west-1" });
    expect(views.find((v) => v.type === "GCR")!.fields[0]).toMatchObject({ name: "serviceAccountKey", kind: "json", secret: true });
    expect(views.filter((v) => v.anonymous).map((v) => v.type)).toEqual(["Public"]);
    // What a server page hands to a client component must survive serialisation unchanged: no schema, no function.
    expect(JSON.parse(JSON.stringify(views))).toEqual(views);
  });

  it("form fields per type, secrets marked", () => {
    expect(Object.fromEntries(REGISTRY_TYPES.map((t) => [t.type, fieldNames(t.type)]))).toEqual({
      GHCR: ["username", "token"],
      Docker: ["username", "password"],
      ECR: ["accessKeyId", "secretAccessKey", "region"],
      ACR: ["loginServer", "username", "password"],
      GCR: ["serviceAccountKey"],
      GAR: ["serviceAccountKey", "region"],
      Quay: ["username", "token"],
      Custom: ["url", "username", "password"],
      Public: [],
    });
    expect(secretFieldNames("ECR")).toEqual(["secretAccessKey"]);
    expect(secretFieldNames("GAR")).toEqual(["serviceAccountKey"]);
    for (const t of REGISTRY_TYPES) {
      for (const f of Object.values(t.fields)) {
        expect(f.label, `${t.type} label`).toBeTruthy();
        expect(["text", "secret", "json", "url", "select"]).toContain(f.kind);
      }
    }
  });

  it("splits credentials: secrets never among the visible fields", () => {
    expect(splitCredentials("ACR", EXAMPLE_CREDENTIALS.ACR)).toEqual({
      visible: { loginServer: "contosoregistry.azurecr.io", username: "contosoregistry" },
      secret: { password: EXAMPLE_CREDENTIALS.ACR.password },
    });
  });

  it("the edit schema lets an empty secret through (keep) but not an empty visible field", () => {
    const s = updateSchemaFor("Custom");
    expect(s.safeParse({ name: "x", credentials: { ...EXAMPLE_CREDENTIALS.Custom, password: "" } }).success).toBe(true);
    expect(s.safeParse({ name: "x", credentials: { ...EXAMPLE_CREDENTIALS.Custom, username: "" } }).success).toBe(false);
  });

  // registry-facts.md §2 and §3, line by line.
  it.each([
    ["GHCR", ["ghcr.io"], "octocat"],
    ["Docker", ["https://index.docker.io/v1/"], "mydockerid"],
    ["ACR", ["contosoregistry.azurecr.io"], "contosoregistry"],
    ["GCR", ["gcr.io", "us.gcr.io", "eu.gcr.io", "asia.gcr.io"], "_json_key"],
    ["GAR", ["us-central1-docker.pkg.dev"], "_json_key"],
    ["Quay", ["quay.io"], "myorg+deployer"],
    ["Custom", ["registry.example.com:5000"], "deployer"],
  ] as const)("%s logs in under %j as %s", (type, keys, username) => {
    const login = loginOf(type, EXAMPLE_CREDENTIALS[type]);
    expect(login).toMatchObject({ kind: "static", serverKeys: keys, username });
  });

  it("Google types log in with the whole key JSON as the password", () => {
    expect(loginOf("GCR", EXAMPLE_CREDENTIALS.GCR)).toMatchObject({ password: EXAMPLE_CREDENTIALS.GCR.serviceAccountKey });
  });

  it("ECR exchanges its key pair; Public sends nothing", () => {
    expect(loginOf("ECR", EXAMPLE_CREDENTIALS.ECR)).toEqual({ kind: "ecr", ...EXAMPLE_CREDENTIALS.ECR });
    expect(loginOf("Public", {})).toEqual({ kind: "none" });
  });

  it("image hosts: Docker Hub is docker.io, ECR is any account in the region, Custom keeps the port", () => {
    expect(imageHostsOf("Docker", EXAMPLE_CREDENTIALS.Docker)).toEqual(["docker.io"]);
    expect(imageHostsOf("ECR", EXAMPLE_CREDENTIALS.ECR)).toEqual(["*.dkr.ecr.eu-central-1.amazonaws.com"]);
    expect(imageHostsOf("ECR", { ...EXAMPLE_CREDENTIALS.ECR, region: "cn-north-1" })).toEqual(["*.dkr.ecr.cn-north-1.amazonaws.com.cn"]);
    expect(imageHostsOf("Custom", { ...EXAMPLE_CREDENTIALS.Custom, url: "https://Registry.Example.com:443" })).toEqual(["registry.example.com"]);
    expect(imageHostsOf("Public", {})).toEqual([]);
  });
});
