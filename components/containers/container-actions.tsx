"use client";
import { useState, useTransition } from "react";
import { useRouter } from "next/navigation";
import { toast } from "@/components/ui/toast";
import { RefreshCw, Rocket, Scaling, Trash2 } from "lucide-react";
import { deleteContainerAction, deployContainerAction, restartContainerAction, scaleContainerAction } from "@/app/_actions/environments";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";

type Started = { ok: true; data: { deploymentId: string } } | { ok: false; error: string; fieldErrors?: Record<string, string[]> };

/**
 * Deploy, restart, scale, delete. A deploy returns as soon as it is recorded; the page then shows
 * it running (DeploymentProgressPanel polls its steps), and these stay disabled until it ends.
 */
export function ContainerActions(props: {
  teamSlug: string;
  containerId: string;
  environmentHref: string;
  replicas: number;
  /** Why the caller may not delete it, and who can; null when they may. */
  deleteRefusal: string | null;
  deploying: boolean;
}) {
  const router = useRouter();
  const [pending, start] = useTransition();
  const [busy, setBusy] = useState<string>();
  const [replicas, setReplicas] = useState(String(props.replicas));
  const ref = { teamSlug: props.teamSlug, containerId: props.containerId };

  const run = (label: string, call: () => Promise<Started>) =>
    start(async () => {
      setBusy(label);
      const result = await call();
      setBusy(undefined);
      if (!result.ok) toast.error(result.fieldErrors?.replicas?.[0] ?? result.error);
      router.refresh();
    });
  const blocked = pending || props.deploying;


  return (
    <div className="flex flex-wrap items-center gap-2">
      <Button onClick={() => run("deploy", () => deployContainerAction(ref))} pending={busy === "deploy"} disabled={blocked}>
        <Rocket className="h-4 w-4" aria-hidden /> Deploy
      </Button>
      <Button variant="secondary" onClick={() => run("restart", () => restartContainerAction(ref))} pending={busy === "restart"} disabled={blocked}>
        <RefreshCw className="h-4 w-4" aria-hidden /> Restart
      </Button>
      <div className="flex items-center gap-1">
        <label htmlFor="scale-replicas" className="sr-only">
          Replicas
        </label>
        <Input id="scale-replicas" type="number" min={0} max={50} value={replicas} onChange={(e) => setReplicas(e.target.value)} className="w-20" />
        <Button variant="secondary" onClick={() => run("scale", () => scaleContainerAction({ ...ref, replicas: Number(replicas) }))} pending={busy === "scale"} disabled={blocked}>
          <Scaling className="h-4 w-4" aria-hidden /> Scale
        </Button>
      </div>
      <ConfirmDialog
        trigger={
          <>
            <Trash2 className="h-4 w-4" aria-hidden /> Delete
          </>
        }
        refusal={props.deleteRefusal ?? (props.deploying ? "A deploy is running: delete once it has ended." : null)}
        title="Delete this container?"
        description="Its workload is removed from the orchestrator first; if that fails, the container is kept and you are told why. Its deploy history goes with it."
        confirmLabel="Delete container"
        onConfirm={async () => {
          const result = await deleteContainerAction(ref);
          if (!result.ok) return result.error;
          toast.success("Container deleted");
          router.push(props.environmentHref);
        }}
      />
    </div>
  );
}
