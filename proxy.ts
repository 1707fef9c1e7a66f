import { randomBytes } from "node:crypto";
import NextAuth from "next-auth";
import { NextResponse, type NextFetchEvent, type NextRequest } from "next/server";
import { baseAuthConfig } from "@/lib/auth/config";
import { env } from "@/lib/env";

/** Pages only a signed-in user may see: "/", /t/…, /teams/…, /account. */
const DASHBOARD_PATH = /^\/(?:t|teams|account)?(?:\/|$)/;

let authGuard: ReturnType<typeof NextAuth>["auth"] | undefined;

/**
 * The policy for one response. Scripts run only with this request's nonce (Next.js puts it on its
 * own scripts; 'strict-dynamic' lets them load the chunks). Styles may be inline because Radix
 * and sonner set style attributes and inject style elements at run time.
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
 * Every page gets a Content-Security-Policy with a fresh nonce. Signed-out visitors of dashboard
 * pages go to sign-in, with the way back: navigation only, every page and action checks the
 * session and team itself.
 */
export async function proxy(req: NextRequest, event: NextFetchEvent) {
  const policy = contentSecurityPolicy(randomBytes(16).toString("base64"));
  const requestHeaders = new Headers(req.headers);
  // Next.js takes the nonce for its scripts from the request's policy.
  requestHeaders.set("content-security-policy", policy);
  const pass = () => NextResponse.next({ request: { headers: requestHeaders } });

  let response: Response;
  if (DASHBOARD_PATH.test(req.nextUrl.pathname)) {
    authGuard ??= NextAuth(baseAuthConfig()).auth;
    const guard = authGuard((signedIn) => {
      if (signedIn.auth?.user) return pass();
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
