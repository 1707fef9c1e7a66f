"use client";
import { useState, useTransition } from "react";
import { useRouter } from "next/navigation";
import { toast } from "sonner";
import { PlugZap, Trash2 } from "lucide-react";
import { deleteEnvironmentAction, testEnvironmentAction } from "@/app/_actions/environments";
import { Button } from "@/components/ui/button";

export function EnvironmentActions(props: { teamSlug: string; environmentId: string; mayDelete: boolean }) {
  const router = useRouter();
  const [testing, startTest] = useTransition();
  const [deleting, startDelete] = useTransition();
  const [namespaces, setNamespaces] = useState<string[]>();

  const test = () =>
    startTest(async () => {
      const result = await testEnvironmentAction({ teamSlug: props.teamSlug, environmentId: props.environmentId });
      if (!result.ok) return void toast.error(result.error);
      if (result.data.ok) toast.success(result.data.message);
      else toast.error(result.data.message);
      setNamespaces(result.data.namespaces);
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
      {namespaces && (
        <p className="max-w-md text-right text-xs text-slate-500" data-testid="namespaces">
          Namespaces: {namespaces.length ? namespaces.join(", ") : "none yet"}
        </p>
      )}
    </div>
  );
}
