"use server";
import { headers } from "next/headers";
import { AuthError } from "next-auth";
import { RateLimitedSignIn, signIn, signOut, unstable_update } from "@/lib/auth";
import { accountActions } from "@/lib/auth/account-actions";
import { signUp } from "@/lib/auth/accounts";
import { clientAddress } from "@/lib/auth/client-address";
import { currentSession } from "@/lib/auth/session";
import { SignInRateLimited } from "@/lib/auth/throttle";
import { safeCallbackUrl, signInSchema, signUpSchema } from "@/lib/auth/schemas";
import { parseActionInput, type ActionResult } from "@/lib/actions/safe-action";
import { SafeError } from "@/lib/errors";
import { errorForLog, logger } from "@/lib/logger";

const WRONG_CREDENTIALS = "Wrong e-mail or password";

/**
 * Signs in; on success Auth.js redirects (the thrown redirect must propagate). An invitation token
 * rides along to the credentials check, which accepts it (lib/auth/index.ts).
 */
async function signInAndRedirect(email: string, password: string, redirectTo: string, invite?: string): Promise<ActionResult<never>> {
  try {
    await signIn("credentials", { email, password, ...(invite ? { invite } : {}), redirectTo });
  } catch (err) {
    if (err instanceof RateLimitedSignIn) {
      return { ok: false, code: "rate_limited", error: new SignInRateLimited().message };
    }
    if (err instanceof AuthError) return { ok: false, code: "invalid", error: WRONG_CREDENTIALS };
    throw err;
  }
  throw new Error("unreachable: signIn redirects");
}

export async function signInAction(raw: unknown): Promise<ActionResult<never>> {
  const parsed = parseActionInput(signInSchema, raw);
  if (!parsed.success) return { ok: false, code: "invalid", error: "Some fields need attention", fieldErrors: parsed.fieldErrors };
  const { email, password, callbackUrl, invite } = parsed.data;
  // From an invitation link: its page then says where it led (or why it could not be used).
  return signInAndRedirect(email, password, invite ? `/invite/${invite}` : safeCallbackUrl(callbackUrl), invite);
}

export async function signUpAction(raw: unknown): Promise<ActionResult<never>> {
  const parsed = parseActionInput(signUpSchema, raw);
  if (!parsed.success) return { ok: false, code: "invalid", error: "Some fields need attention", fieldErrors: parsed.fieldErrors };
  let landing: string;
  try {
    const { team, joined } = await signUp(parsed.data);
    // Straight into the team (the invited one, else the new personal one), not through "/".
    landing = `/t/${joined?.teamSlug ?? team.slug}/settings/registries`;
  } catch (err) {
    if (err instanceof SafeError) return { ok: false, code: err.code, error: err.message, fieldErrors: err.fieldErrors };
    logger.error(errorForLog(err), "sign-up failed");
    return { ok: false, code: "internal", error: "Something went wrong on our side. Please try again." };
  }
  return signInAndRedirect(parsed.data.email, parsed.data.password, landing);
}

/** Signs out and revokes this session on the server (lib/auth's signOut event), so a copied cookie stops working too. */
export async function signOutAction(): Promise<void> {
  await signOut({ redirectTo: "/sign-in" });
}

/** Refuses every session of the user, on every device, then signs this one out. */
export async function signOutEverywhereAction(): Promise<ActionResult<never>> {
  const result = await accountActions(clientAddress(await headers())).signOutEverywhere(await currentSession(), {});
  if (!result.ok) return result;
  await signOut({ redirectTo: "/sign-in" });
  throw new Error("unreachable: signOut redirects");
}

/** Changes the password; every other session is refused and this one is re-issued under the new generation. */
export async function changePasswordAction(raw: unknown): Promise<ActionResult<null>> {
  const result = await accountActions(clientAddress(await headers())).changePassword(await currentSession(), raw);
  if (!result.ok) return result;
  await unstable_update({ generationGrant: result.data.generationGrant });
  return { ok: true, data: null };
}
