"use client";
import { useState, useTransition } from "react";
import { useRouter } from "next/navigation";
import { toast } from "sonner";
import { PlugZap, Trash2 } from "lucide-react";
import { deleteEnvironmentAction, testEnvironmentAction } from "@/app/_actions/environments";
import { Button } from "@/components/ui/button";
import { VerdictPanel, type VerdictView } from "@/components/ui/verdict";
import { connectionVerdict } from "./connection-verdict";

export function EnvironmentActions(props: { teamSlug: string; environmentId: string; mayDelete: boolean }) {
  const router = useRouter();
  const [testing, startTest] = useTransition();
  const [deleting, startDelete] = useTransition();
  const [verdict, setVerdict] = useState<VerdictView | "pending">();

  // The verdict stays on the page (a toast would fade with the reason in it).
  const test = () =>
    startTest(async () => {
      setVerdict("pending");
      const result = await testEnvironmentAction({ teamSlug: props.teamSlug, environmentId: props.environmentId });
      setVerdict(connectionVerdict(result.ok ? result.data : { ok: false, message: result.error }));
    });

  const remove = () =>
    startDelete(async () => {
      if (!window.confirm("Delete this environment? Its settings and connection are removed.")) return;
      const result = await deleteEnvironmentAction({ teamSlug: props.teamSlug, environmentId: props.environmentId });
      if (!result.ok) return void toast.error(result.error);
      toast.success("Environment deleted");
      router.push(`/t/${props.teamSlug}/environments`);
    });

  return (
    <div className="flex flex-col items-end gap-2">
      <div className="flex flex-wrap gap-2">
        <Button variant="secondary" onClick={test} pending={testing}>
          <PlugZap className="h-4 w-4" aria-hidden /> Test connection
        </Button>
        {props.mayDelete && (
          <Button variant="secondary" onClick={remove} pending={deleting}>
            <Trash2 className="h-4 w-4" aria-hidden /> Delete
          </Button>
        )}
      </div>
      <div className="w-full max-w-md">
        <VerdictPanel verdict={verdict} pendingText="Checking the connection…" testId="connection-check" />
      </div>
    </div>
  );
}
