import "server-only";
import { z } from "zod";
import { userAction } from "@/lib/actions/safe-action";
import { changePassword } from "./accounts";
import { changePasswordSchema } from "./schemas";
import { bumpSessionGeneration, generationGrant } from "./sessions";

/** The signed-in user's own account. `client` is the caller's address, which the password check is throttled by. */
export function accountActions(client: string) {
  return {
    /** Returns the grant that lets the session making the change move to the new generation. */
    changePassword: userAction({
      name: "account.changePassword",
      schema: changePasswordSchema,
      body: async ({ user, input }) => ({ generationGrant: generationGrant(user.id, await changePassword(user.id, input, client)) }),
    }),
    signOutEverywhere: userAction({
      name: "account.signOutEverywhere",
      schema: z.object({}),
      body: async ({ user }) => {
        await bumpSessionGeneration(user.id);
      },
    }),
  };
}
