"use client";
import { useState, useTransition } from "react";
import { useRouter } from "next/navigation";
import { toast } from "@/components/ui/toast";
import { PlugZap, Trash2 } from "lucide-react";
import { deleteEnvironmentAction, testEnvironmentAction } from "@/app/_actions/environments";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { VerdictPanel, type VerdictView } from "@/components/ui/verdict";
import { connectionVerdict } from "./connection-verdict";

export function EnvironmentActions(props: {
  teamSlug: string;
  environment: { id: string; name: string };
  /** Why the caller may not delete it (their role, or containers left); null when they may. */
  deleteRefusal: string | null;
}) {
  const router = useRouter();
  const [testing, startTest] = useTransition();
  const [verdict, setVerdict] = useState<VerdictView | "pending">();

  // The verdict stays on the page (a toast would fade with the reason in it).
  const test = () =>
    startTest(async () => {
      setVerdict("pending");
      const result = await testEnvironmentAction({ teamSlug: props.teamSlug, environmentId: props.environment.id });
      setVerdict(connectionVerdict(result.ok ? result.data : { ok: false, message: result.error }));
    });

  return (
    <div className="flex flex-col items-end gap-2">
      <div className="flex flex-wrap gap-2">
        <Button variant="secondary" onClick={test} pending={testing}>
          <PlugZap className="h-4 w-4" aria-hidden /> Test connection
        </Button>
        <ConfirmDialog
          trigger={
            <>
              <Trash2 className="h-4 w-4" aria-hidden /> Delete
            </>
          }
          refusal={props.deleteRefusal}
          title={`Delete ${props.environment.name}?`}
          description="Its connection settings and saved credentials (kubeconfig, keys) are erased. Nothing on the cluster or host is changed: a pull secret the dashboard wrote there stays until you remove it."
          confirmLabel="Delete environment"
          onConfirm={async () => {
            const result = await deleteEnvironmentAction({ teamSlug: props.teamSlug, environmentId: props.environment.id });
            if (!result.ok) return result.error;
            toast.success(`Environment ${props.environment.name} deleted`);
            router.push(`/t/${props.teamSlug}/environments`);
          }}
        />
      </div>
      <div className="w-full max-w-md">
        <VerdictPanel verdict={verdict} pendingText="Checking the connection…" testId="connection-check" />
      </div>
    </div>
  );
}
