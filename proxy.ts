import NextAuth from "next-auth";
import { NextResponse, type NextFetchEvent, type NextRequest } from "next/server";
import { baseAuthConfig } from "@/lib/auth/config";

let guard: ReturnType<typeof makeGuard> | undefined;

function makeGuard() {
  const { auth } = NextAuth(baseAuthConfig());
  return auth((req) => {
    if (req.auth?.user) return NextResponse.next();
    const url = new URL("/sign-in", req.nextUrl.origin);
    url.searchParams.set("callbackUrl", req.nextUrl.pathname + req.nextUrl.search);
    return NextResponse.redirect(url);
  });
}

/**
 * Sends signed-out visitors of dashboard pages to sign-in, with the way back.
 * This is navigation only: every page and action checks the session and team itself.
 */
export function proxy(req: NextRequest, event: NextFetchEvent) {
  guard ??= makeGuard();
  return guard(req, event as never);
}

export const config = { matcher: ["/", "/t/:path*", "/teams/:path*", "/account"] };
