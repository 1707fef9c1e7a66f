"use client";
import { useTransition, type ReactNode } from "react";
import { signOutAction, signOutEverywhereAction } from "@/app/(auth)/actions";
import { MenuItem } from "@/components/ui/menu";
import { toast } from "@/components/ui/toast";

/** The account menu's two sign-outs; both wait while either runs. The icons come drawn from the server. */
export function SignOutItems({ everywhereIcon, signOutIcon }: { everywhereIcon: ReactNode; signOutIcon: ReactNode }) {
  const [pending, startTransition] = useTransition();
  const signOutEverywhere = () =>
    startTransition(async () => {
      // On success the action redirects to sign-in; a result means it did not happen.
      const result = await signOutEverywhereAction();
      if (!result.ok) toast.error(result.error);
    });
  return (
    <>
      <MenuItem disabled={pending} onSelect={signOutEverywhere}>
        {everywhereIcon} Sign out everywhere
      </MenuItem>
      <MenuItem disabled={pending} onSelect={() => startTransition(() => signOutAction())}>
        {signOutIcon} Sign out
      </MenuItem>
    </>
  );
}
