import "server-only";
import type { NextAuthConfig } from "next-auth";
import { env, type Env } from "@/lib/env";
import { SESSION_MAX_AGE_SECONDS, SESSION_UPDATE_AGE_SECONDS, grantedGeneration, isSessionCurrent, newSessionId } from "./sessions";

/**
 * The part of the Auth.js config the proxy shares with the app: no providers. Every read of a
 * session token, in the proxy and in `auth()`, asks the database whether it is still current.
 */
export function baseAuthConfig({ authSecret, publicUrl }: Pick<Env, "authSecret" | "publicUrl"> = env()) {
  return {
    secret: authSecret,
    // Auth.js applies updateAge to database sessions only; proxy.ts applies it to these tokens.
    session: { strategy: "jwt", maxAge: SESSION_MAX_AGE_SECONDS, updateAge: SESSION_UPDATE_AGE_SECONDS },
    trustHost: true,
    // Without a configured public URL Auth.js decides per request from its protocol.
    useSecureCookies: publicUrl ? publicUrl.protocol === "https:" : undefined,
    pages: { signIn: "/sign-in" },
    providers: [],
    callbacks: {
      async jwt({ token, user, trigger, session }) {
        if (trigger === "signIn") {
          if (!user?.id) return null;
          return { ...token, uid: user.id, sid: newSessionId(), gen: user.sessionGeneration ?? 0 };
        }
        const { uid, sid } = token;
        // Tokens from before sessions could be revoked carry no session id: they sign in again.
        if (typeof uid !== "string" || typeof sid !== "string" || typeof token.gen !== "number") return null;
        const granted = trigger === "update" ? grantedGeneration(session?.generationGrant, uid) : undefined;
        const gen = granted ?? token.gen;
        if (!(await isSessionCurrent({ uid, sid, gen }))) return null;
        return { ...token, gen };
      },
      session({ session, token }) {
        if (typeof token.uid === "string") session.user.id = token.uid;
        return session;
      },
    },
  } satisfies NextAuthConfig;
}
