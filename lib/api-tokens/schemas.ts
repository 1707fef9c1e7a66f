import { z } from "zod";
import { roleField } from "@/lib/teams/schemas";
import { storableText } from "@/lib/validation/text";

/** The token form and the actions share these schemas. */

/** Every token expires; these are the lifetimes one may choose. */
export const TOKEN_LIFETIMES_DAYS = [7, 30, 90] as const;

export const tokenIdField = z.string().regex(/^tok-[a-z0-9]{12}$/, "Not a token id");

export const createTokenSchema = z.strictObject({
  teamSlug: storableText().min(1, "Choose a team").max(100),
  name: storableText().trim().min(1, "Name the token after what will use it").max(64, "At most 64 characters"),
  role: roleField,
  expiresInDays: z.literal(TOKEN_LIFETIMES_DAYS, { message: `Choose ${TOKEN_LIFETIMES_DAYS.join(", ")} days` }),
});
export type CreateTokenInput = z.input<typeof createTokenSchema>;

export const revokeTokenSchema = z.strictObject({ tokenId: tokenIdField });
