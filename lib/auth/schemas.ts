import { z } from "zod";
import { storableText } from "@/lib/validation/text";

/** Shared by the sign-up/sign-in forms and the server. */
export const emailField = storableText()
  .trim()
  .min(1, "Enter your e-mail address")
  .max(254, "E-mail address is too long")
  .pipe(z.email("Enter a valid e-mail address, like name@example.com"))
  .transform((v) => v.toLowerCase());

/** The token from an invitation link (`/invite/<token>`): 32 random bytes, base64url. */
export const invitationTokenField = z.string().regex(/^[A-Za-z0-9_-]{43}$/, "This invitation link is not valid. Check that it was copied whole.");

export const signUpSchema = z.object({
  name: storableText().trim().min(1, "Enter your name").max(80, "Name must be at most 80 characters"),
  email: emailField,
  password: storableText()
    .min(10, "Password must be at least 10 characters")
    .max(256, "Password must be at most 256 characters"),
  /** Signing up from an invitation link joins that team too. */
  invite: invitationTokenField.optional(),
});
export type SignUpInput = z.input<typeof signUpSchema>;

export const signInSchema = z.object({
  email: emailField,
  password: storableText().min(1, "Enter your password").max(256, "Password must be at most 256 characters"),
  callbackUrl: storableText().max(2000).optional(),
  /** Signing in from an invitation link accepts it. */
  invite: invitationTokenField.optional(),
});
export type SignInInput = z.input<typeof signInSchema>;

export const changePasswordSchema = z
  .object({
    currentPassword: storableText().min(1, "Enter your current password").max(256, "Password must be at most 256 characters"),
    newPassword: storableText().min(10, "Password must be at least 10 characters").max(256, "Password must be at most 256 characters"),
    confirmPassword: storableText().min(1, "Type the new password again"),
  })
  .refine((v) => v.confirmPassword === v.newPassword, { path: ["confirmPassword"], message: "The two new passwords differ" })
  .refine((v) => v.newPassword !== v.currentPassword, { path: ["newPassword"], message: "Choose a password other than the current one" });
export type ChangePasswordInput = z.output<typeof changePasswordSchema>;

/** Only same-site paths are followed after sign-in. */
export function safeCallbackUrl(url: string | undefined | null): string {
  if (!url || !url.startsWith("/") || url.startsWith("//") || url.startsWith("/\\")) return "/";
  return url;
}
