import "server-only";
import NextAuth, { CredentialsSignin } from "next-auth";
import Credentials from "next-auth/providers/credentials";
import { errorForLog, logger } from "@/lib/logger";
import { SafeError } from "@/lib/errors";
import { acceptInvitation } from "@/lib/teams/invitations";
import { invitationTokenField } from "./schemas";
import { baseAuthConfig } from "./config";
import { verifyCredentials } from "./accounts";
import { clientAddress } from "./client-address";
import { revokeSession } from "./sessions";
import { SignInRateLimited } from "./throttle";

export class RateLimitedSignIn extends CredentialsSignin {
  code = "rate_limited";
}

/**
 * Signing in from an invitation link accepts it. The sign-in stands either way: an invitation for
 * another e-mail, expired or used is explained by the invitation page the user lands on.
 */
async function acceptAtSignIn(token: string, user: { id: string; email: string }) {
  const parsed = invitationTokenField.safeParse(token);
  if (!parsed.success) return;
  try {
    await acceptInvitation(parsed.data, user);
  } catch (err) {
    if (!(err instanceof SafeError)) logger.error({ userId: user.id, ...errorForLog(err) }, "accepting an invitation at sign-in failed");
  }
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
      credentials: { email: {}, password: {}, invite: {} },
      async authorize(credentials, request) {
        let user: Awaited<ReturnType<typeof verifyCredentials>>;
        try {
          user = await verifyCredentials(credentials, clientAddress(request.headers));
        } catch (err) {
          if (err instanceof SignInRateLimited) throw new RateLimitedSignIn();
          throw err;
        }
        if (user && typeof credentials.invite === "string") await acceptAtSignIn(credentials.invite, user);
        return user;
      },
    }),
  ],
}));
