"use server";
import { AuthError } from "next-auth";
import { RateLimitedSignIn, signIn, signOut } from "@/lib/auth";
import { signUp } from "@/lib/auth/accounts";
import { safeCallbackUrl, signInSchema, signUpSchema } from "@/lib/auth/schemas";
import { parseActionInput, type ActionResult } from "@/lib/actions/safe-action";
import { SafeError } from "@/lib/errors";
import { errorForLog, logger } from "@/lib/logger";

const WRONG_CREDENTIALS = "Wrong e-mail or password";

/** Signs in; on success Auth.js redirects (the thrown redirect must propagate). */
async function signInAndRedirect(email: string, password: string, callbackUrl?: string): Promise<ActionResult<never>> {
  try {
    await signIn("credentials", { email, password, redirectTo: safeCallbackUrl(callbackUrl) });
  } catch (err) {
    if (err instanceof RateLimitedSignIn) {
      return { ok: false, code: "rate_limited", error: "Too many failed sign-ins for this e-mail. Try again in 15 minutes." };
    }
    if (err instanceof AuthError) return { ok: false, code: "invalid", error: WRONG_CREDENTIALS };
    throw err;
  }
  throw new Error("unreachable: signIn redirects");
}

export async function signInAction(raw: unknown): Promise<ActionResult<never>> {
  const parsed = parseActionInput(signInSchema, raw);
  if (!parsed.success) return { ok: false, code: "invalid", error: "Some fields need attention", fieldErrors: parsed.fieldErrors };
  return signInAndRedirect(parsed.data.email, parsed.data.password, parsed.data.callbackUrl);
}

export async function signUpAction(raw: unknown): Promise<ActionResult<never>> {
  const parsed = parseActionInput(signUpSchema, raw);
  if (!parsed.success) return { ok: false, code: "invalid", error: "Some fields need attention", fieldErrors: parsed.fieldErrors };
  try {
    await signUp(parsed.data);
  } catch (err) {
    if (err instanceof SafeError) return { ok: false, code: err.code, error: err.message, fieldErrors: err.fieldErrors };
    logger.error(errorForLog(err), "sign-up failed");
    return { ok: false, code: "internal", error: "Something went wrong on our side. Please try again." };
  }
  return signInAndRedirect(parsed.data.email, parsed.data.password, "/");
}

export async function signOutAction(): Promise<void> {
  await signOut({ redirectTo: "/sign-in" });
}
