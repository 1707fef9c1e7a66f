import { z } from "zod";
import { storableText } from "@/lib/validation/text";
import { REGISTRY_TYPE_KEYS, registryInputSchemaWith, type RegistryInput } from "./catalog";

/** A new registry; `testToken` keeps the Test Connection run on exactly these credentials in the form. */
export const createRegistrySchema = registryInputSchemaWith({ testToken: z.string().max(16_384, "Not a test result").optional() });
export type CreateRegistryInput = RegistryInput & { testToken?: string };

export const registryIdField = z.string().regex(/^reg-[a-z0-9]{12}$/, "Not a registry id (reg- followed by 12 letters or digits)");

export const updateRegistrySchema = z.strictObject({
  registryId: registryIdField,
  // Parsed against the stored registry's type once it is loaded.
  name: z.unknown().optional(),
  credentials: z.unknown().optional(),
});
export type UpdateRegistryInput = { registryId: string; name?: string; credentials?: Record<string, string> };

/** One registry of the team, as any member sees it. */
export const registryRefSchema = z.strictObject({ registryId: registryIdField });

export const deleteRegistrySchema = z.strictObject({ registryId: registryIdField });
export type DeleteRegistryInput = z.input<typeof deleteRegistrySchema>;

const credentialValues = z.record(storableText().max(64), storableText({ message: "Must be text" }).max(100_000, "Too long"), {
  message: "Credentials must be an object of text fields",
});

/** Test the stored credentials (`registryId`), an edit of them (`registryId` + `credentials`), or new ones (`type` + `credentials`). */
export const testRegistrySchema = z
  .strictObject({
    registryId: registryIdField.optional(),
    type: z.enum(REGISTRY_TYPE_KEYS, { message: `Choose a registry type: ${REGISTRY_TYPE_KEYS.join(", ")}` }).optional(),
    credentials: credentialValues.optional(),
    /** A repository to check pull access on, e.g. `team/app` (no host, no tag). */
    image: storableText()
      .max(255, "At most 255 characters")
      .regex(/^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)*$/, "A repository path like team/app: lower-case letters, digits and . _ - separated by /, without host or tag")
      .optional()
      .or(z.literal("").transform(() => undefined)),
    /** false: the structural check only (what the form shows at once). */
    live: z.boolean().optional(),
  })
  .refine((v) => v.registryId || v.type, { message: "Choose a registry type", path: ["type"] });
export type TestRegistryInput = z.input<typeof testRegistrySchema>;

/** The last page a list goes to: 5,000,000 registries at 50 a page. */
export const MAX_LIST_PAGE = 100_000;

export const listRegistriesSchema = z.strictObject({
  search: storableText().max(100, "Search is at most 100 characters").optional(),
  page: z.number().int().min(1).max(MAX_LIST_PAGE).optional(),
});
export type ListRegistriesInput = z.input<typeof listRegistriesSchema>;

export const applyRegistrySchema = z.strictObject({ registryId: registryIdField });
export type ApplyRegistryInput = z.input<typeof applyRegistrySchema>;

/** Probe the saved credentials (`registryId`) or an edit of them (`registryId` + `credentials`). */
export const probeRegistrySchema = z.strictObject({ registryId: registryIdField, credentials: credentialValues.optional() });
export type ProbeRegistryInput = z.input<typeof probeRegistrySchema>;
