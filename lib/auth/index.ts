import "server-only";
import NextAuth, { CredentialsSignin } from "next-auth";
import Credentials from "next-auth/providers/credentials";
import { env } from "@/lib/env";
import { logger } from "@/lib/logger";
import { baseAuthConfig } from "./config";
import { SignInRateLimited, verifyCredentials } from "./accounts";

export class RateLimitedSignIn extends CredentialsSignin {
  code = "rate_limited";
}

export const { handlers, auth, signIn, signOut } = NextAuth(() => ({
  ...baseAuthConfig,
  secret: env().authSecret,
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
  providers: [
    Credentials({
      credentials: { email: {}, password: {} },
      async authorize(credentials) {
        try {
          return await verifyCredentials(credentials);
        } catch (err) {
          if (err instanceof SignInRateLimited) throw new RateLimitedSignIn();
          throw err;
        }
      },
    }),
  ],
}));
