import { parse, stringify } from "yaml";
import { REGISTRY_TYPE_KEYS, fieldNames, registryType, type RegistryType } from "./catalog";

/** The `{ name, type, credentials }` shape users already write, in YAML or JSON. */
export type RegistryDocument = { name: string; type: RegistryType; credentials: Record<string, string> };

export type ImportResult = { ok: true; value: RegistryDocument } | { ok: false; error: string };

const MAX_DOCUMENT = 100_000;
const REGISTRY_TYPES_BY_LOWER = new Map(REGISTRY_TYPE_KEYS.map((k) => [k.toLowerCase(), registryType(k)!]));

/**
 * Reads a pasted registry document into form values. Structure problems are reported here;
 * the values themselves are then validated by the form against the catalog, field by field.
 */
export function parseRegistryDocument(text: string): ImportResult {
  if (text.length > MAX_DOCUMENT) return { ok: false, error: "The document is too long (at most 100,000 characters)" };
  let doc: unknown;
  try {
    doc = parse(text, { maxAliasCount: 10 });
  } catch (err) {
    return { ok: false, error: `Not valid YAML or JSON: ${(err as Error).message.split("\n")[0]}` };
  }
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) {
    return { ok: false, error: "Expected an object with name, type and credentials" };
  }
  const { name, type, credentials, ...rest } = doc as Record<string, unknown>;
  const extra = Object.keys(rest);
  if (extra.length > 0) return { ok: false, error: `Unknown top-level field${extra.length > 1 ? "s" : ""}: ${extra.join(", ")} (expected name, type, credentials)` };
  const def = typeof type === "string" ? (registryType(type) ?? REGISTRY_TYPES_BY_LOWER.get(type.toLowerCase())) : undefined;
  if (!def) return { ok: false, error: `"type" must be one of ${REGISTRY_TYPE_KEYS.join(", ")}` };
  if (name !== undefined && typeof name !== "string") return { ok: false, error: '"name" must be text' };
  if (credentials !== undefined && (typeof credentials !== "object" || credentials === null || Array.isArray(credentials))) {
    return { ok: false, error: '"credentials" must be an object' };
  }
  const allowed = fieldNames(def.type);
  const creds = (credentials ?? {}) as Record<string, unknown>;
  const unknown = Object.keys(creds).filter((k) => !allowed.includes(k));
  if (unknown.length > 0) return { ok: false, error: `Unknown field for ${def.label}: ${unknown.join(", ")} (expected ${allowed.join(", ") || "none"})` };
  const values: Record<string, string> = {};
  for (const field of allowed) {
    const v = creds[field];
    if (v !== undefined && v !== null && typeof v !== "string") {
      // A service-account key may be pasted as a nested object rather than a JSON string.
      if (typeof v === "object" && field === "serviceAccountKey") values[field] = JSON.stringify(v, null, 2);
      else return { ok: false, error: `credentials.${field} must be text` };
    } else values[field] = v ?? "";
  }
  return { ok: true, value: { name: name ?? "", type: def.type, credentials: values } };
}

/** The export: the same shape, secrets left out. */
export function registryDocumentYaml(doc: { name: string; type: string; credentials: Record<string, string> }): string {
  return stringify({ name: doc.name, type: doc.type, credentials: doc.credentials });
}
