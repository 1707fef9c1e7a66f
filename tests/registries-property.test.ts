import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { and, eq } from "drizzle-orm";
import { db } from "@/db";
import { registries } from "@/db/schema";
import { registryActions } from "@/lib/registries/actions";
import { REGISTRY_TYPES, credentialsSchemaFor, registryInputSchema } from "@/lib/registries/catalog";
import { EXAMPLE_CREDENTIALS } from "@/lib/registries/examples";
import { newUser } from "./fixtures";

/** Strings users and attackers paste: empty, huge, control characters, unicode, JSON-ish. */
const nastyString = fc.oneof(
  fc.string(),
  fc.string({ unit: "binary", maxLength: 80 }),
  fc.constantFrom("", " ", "\u0000", "a\nb", "{", "null", "ghp_", "AKIA", "https://", "x".repeat(300_000)),
  fc.json(),
);
const anyValue = fc.oneof(nastyString, fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.string(), { maxLength: 3 }), fc.dictionary(fc.string(), fc.string(), { maxKeys: 3 }));

/** A credential object: the right field names with random values, plus sometimes extra or missing ones. */
function credentialsFor(type: (typeof REGISTRY_TYPES)[number]) {
  const names = Object.keys(type.fields);
  return fc.record(
    {
      fields: fc.dictionary(fc.constantFrom(...(names.length > 0 ? names : ["x"])), nastyString, { maxKeys: names.length + 1 }),
      extra: fc.option(fc.dictionary(fc.string({ maxLength: 10 }), anyValue, { maxKeys: 2 })),
      keepValid: fc.subarray(names),
    },
    { requiredKeys: ["fields", "keepValid"] },
  ).map(({ fields, extra, keepValid }) => {
    const creds: Record<string, unknown> = { ...fields, ...(extra ?? {}) };
    for (const n of keepValid) creds[n] = EXAMPLE_CREDENTIALS[type.type][n];
    return creds;
  });
}

const anyInput = fc.oneof(
  ...REGISTRY_TYPES.map((t) => fc.record({ type: fc.constant<string>(t.type), name: nastyString, credentials: credentialsFor(t) })),
  fc.record({ type: nastyString, name: anyValue, credentials: anyValue }),
  anyValue,
);

describe("random input", () => {
  it("every type's schema returns issues or data, never throws", () => {
    fc.assert(
      fc.property(anyInput, (input) => {
        const r = registryInputSchema.safeParse(input);
        if (!r.success) expect(r.error.issues.length).toBeGreaterThan(0);
        for (const t of REGISTRY_TYPES) credentialsSchemaFor(t.type).safeParse((input as { credentials?: unknown })?.credentials);
      }),
      { numRuns: 2000 },
    );
  });

  it("the create action answers with field errors or a saved row, never an internal error", async () => {
    const { session, team } = await newUser("fuzz");
    await fc.assert(
      fc.asyncProperty(anyInput, async (input) => {
        const r = await registryActions.create(session, { ...(typeof input === "object" && input && !Array.isArray(input) ? input : { value: input }), teamSlug: team.slug });
        if (r.ok) {
          const rows = await db().select().from(registries).where(and(eq(registries.id, r.data.registryId), eq(registries.teamId, team.id)));
          expect(rows).toHaveLength(1);
        } else {
          expect(r.code).not.toBe("internal");
          expect(r.fieldErrors && Object.keys(r.fieldErrors).length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 300 },
    );
  });
});
