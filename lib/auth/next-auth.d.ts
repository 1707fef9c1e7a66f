import "next-auth";
import "next-auth/jwt";

declare module "next-auth" {
  interface Session {
    user: { id: string; email?: string | null; name?: string | null };
    /** Never in a session read: only in the update the server sends after a password change (lib/auth/sessions.ts). */
    generationGrant?: string;
  }
  interface User {
    /** The user's session generation when they signed in (see lib/auth/sessions.ts). */
    sessionGeneration?: number;
  }
}

declare module "next-auth/jwt" {
  interface JWT {
    uid?: string;
    /** This session's id, which sign-out revokes. */
    sid?: string;
    /** The user's session generation the token was issued under. */
    gen?: number;
  }
}
