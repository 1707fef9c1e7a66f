"use client";
import { useState, useTransition } from "react";
import { useRouter } from "next/navigation";
import { toast } from "@/components/ui/toast";
import { acceptInvitationAction } from "@/app/_actions/teams";
import { Button } from "@/components/ui/button";
import { FormError } from "@/components/ui/field";

/** For a user already signed in with the invited e-mail when they open the link. */
export function AcceptInvitation({ token, teamName }: { token: string; teamName: string }) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [error, setError] = useState<string>();
  const accept = () =>
    startTransition(async () => {
      const result = await acceptInvitationAction({ token });
      if (!result.ok) return setError(result.error);
      toast.success(`You joined ${result.data.teamName}`);
      router.push(`/t/${result.data.teamSlug}/settings/registries`);
    });
  return (
    <div className="space-y-3">
      <FormError message={error} />
      <Button className="w-full" onClick={accept} pending={pending}>
        Join {teamName}
      </Button>
    </div>
  );
}
