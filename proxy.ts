import { randomBytes } from "node:crypto";
import NextAuth from "next-auth";
import { getToken } from "next-auth/jwt";
import { NextResponse, type NextFetchEvent, type NextRequest } from "next/server";
import { baseAuthConfig } from "@/lib/auth/config";
import { PROXY_IDENTITY_HEADER, signProxyIdentity } from "@/lib/auth/proxy-identity";
import { decodeSessionToken } from "@/lib/auth/session-token";
import { env } from "@/lib/env";

/** Pages only a signed-in user may see: "/", /t/…, /teams/…, /account. */
const DASHBOARD_PATH = /^\/(?:t|teams|account)?(?:\/|$)/;

let authGuard: ReturnType<typeof NextAuth>["auth"] | undefined;

/**
 * The policy for one response. Scripts run only with this request's nonce (Next.js puts it on its
 * own scripts; 'strict-dynamic' lets them load the chunks). Styles may be inline because Next.js's
 * built-in error pages render style attributes.
 */
export function contentSecurityPolicy(nonce: string): string {
  const dev = process.env.NODE_ENV === "development";
  return [
    "default-src 'self'",
    // React's development build evaluates code to rebuild server stacks; the production build does not.
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ""}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    ...(env().publicUrl?.protocol === "https:" ? ["upgrade-insecure-requests"] : []),
  ].join("; ");
}

/**
 * The user id of a session token that is current and not yet due for re-issue, read as Auth.js
 * reads it (the same cookie name and jwt callback, which asks the database; the decryption of
 * lib/auth/session-token.ts, which accepts no token Auth.js would refuse), or undefined: then
 * Auth.js itself handles the request and sets or clears the cookie.
 */
async function currentUserWithoutReissue(req: NextRequest): Promise<string | undefined> {
  const authConfig = baseAuthConfig();
  // Auth.js picks the cookie name from the protocol next-auth detects when no public URL is set.
  const secureCookie = authConfig.useSecureCookies ?? (req.headers.get("x-forwarded-proto") ?? req.nextUrl.protocol).startsWith("https");
  // Only the cookie: getToken would also take an Authorization header, which Auth.js's session never does.
  const token = await getToken({ req: { headers: { cookie: req.headers.get("cookie") ?? "" } }, secret: authConfig.secret, secureCookie, decode: decodeSessionToken });
  if (!token || typeof token.iat !== "number") return undefined;
  if (token.iat + authConfig.session.updateAge <= Date.now() / 1000) return undefined;
  const current = await authConfig.callbacks.jwt({ token, user: undefined as never, account: null });
  return typeof current?.uid === "string" ? current.uid : undefined;
}

/**
 * Every page gets a Content-Security-Policy with a fresh nonce. Signed-out visitors of dashboard
 * pages go to sign-in, with the way back: navigation only, every page and action checks the
 * session and team itself (through the identity this proxy verified, see lib/auth/proxy-identity.ts).
 */
export async function proxy(req: NextRequest, event: NextFetchEvent) {
  const policy = contentSecurityPolicy(randomBytes(16).toString("base64"));
  const requestHeaders = new Headers(req.headers);
  // Next.js takes the nonce for its scripts from the request's policy.
  requestHeaders.set("content-security-policy", policy);
  requestHeaders.delete(PROXY_IDENTITY_HEADER);
  const pass = (userId?: string) => {
    if (userId) requestHeaders.set(PROXY_IDENTITY_HEADER, signProxyIdentity(userId));
    return NextResponse.next({ request: { headers: requestHeaders } });
  };

  let response: Response;
  const userId = DASHBOARD_PATH.test(req.nextUrl.pathname) ? await currentUserWithoutReissue(req) : undefined;
  if (userId) {
    response = pass(userId);
  } else if (DASHBOARD_PATH.test(req.nextUrl.pathname)) {
    // Signed out, refused, or due for re-issue: Auth.js redirects, clears or re-issues the cookie.
    authGuard ??= NextAuth(baseAuthConfig()).auth;
    const guard = authGuard((signedIn) => {
      if (signedIn.auth?.user) return pass(signedIn.auth.user.id);
      const url = new URL("/sign-in", signedIn.nextUrl.origin);
      url.searchParams.set("callbackUrl", signedIn.nextUrl.pathname + signedIn.nextUrl.search);
      return NextResponse.redirect(url);
    });
    // Typed for route handlers that may return nothing; around a proxy callback it always returns the response.
    response = (await guard(req, event as never)) as Response;
  } else {
    response = pass();
  }
  response.headers.set("content-security-policy", policy);
  return response;
}

// Every request but static build assets, so that sign-in, sign-up and 404 pages carry the policy too.
export const config = { matcher: ["/((?!_next/static|_next/image).*)"] };
