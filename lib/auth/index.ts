import "server-only";
import NextAuth, { CredentialsSignin } from "next-auth";
import Credentials from "next-auth/providers/credentials";
import { logger } from "@/lib/logger";
import { baseAuthConfig } from "./config";
import { verifyCredentials } from "./accounts";
import { clientAddress } from "./client-address";
import { revokeSession } from "./sessions";
import { SignInRateLimited } from "./throttle";

export class RateLimitedSignIn extends CredentialsSignin {
  code = "rate_limited";
}

export const { handlers, auth, signIn, signOut, unstable_update } = NextAuth(() => ({
  ...baseAuthConfig(),
  logger: {
    // A failed sign-in is an expected outcome, logged by verifyCredentials without the password.
    error(error) {
      if (error instanceof CredentialsSignin) return;
      logger.error({ errorName: error.name, reason: error.message }, "auth error");
    },
    warn(code) {
      logger.warn({ code }, "auth warning");
    },
    debug() {},
  },
  events: {
    async signOut(message) {
      const sid = "token" in message ? message.token?.sid : undefined;
      if (typeof sid === "string") await revokeSession(sid);
    },
  },
  providers: [
    Credentials({
      credentials: { email: {}, password: {} },
      async authorize(credentials, request) {
        try {
          return await verifyCredentials(credentials, clientAddress(request.headers));
        } catch (err) {
          if (err instanceof SignInRateLimited) throw new RateLimitedSignIn();
          throw err;
        }
      },
    }),
  ],
}));
