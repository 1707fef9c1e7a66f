"use client";
import { useState, useTransition } from "react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { toast } from "@/components/ui/toast";
import { Download, Pencil, PlugZap, Trash2 } from "lucide-react";
import { registryClient } from "@/lib/registries/client";
import { Button } from "@/components/ui/button";
import { Dialog } from "@/components/ui/dialog";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { CodeBlock } from "@/components/ui/code-block";

const linkButton = "inline-flex h-10 items-center gap-2 rounded-md border border-slate-300 bg-white px-4 text-sm font-medium text-slate-900 hover:bg-slate-50";

export function RegistryActions(props: {
  teamSlug: string;
  registryId: string;
  registryName: string;
  editHref: string;
  /** Public registries have nothing to rotate. */
  editLabel: string;
  mayUpdate: boolean;
  /** Why the caller may not delete it, and who can; null when they may. */
  deleteRefusal: string | null;
  inUseBy: number;
  exportYaml: string;
}) {
  const router = useRouter();
  const [testing, startTesting] = useTransition();

  function test() {
    startTesting(async () => {
      // Tests the stored credentials on the server; nothing secret comes back.
      const result = await registryClient(props.teamSlug).test({ registryId: props.registryId });
      if (!result.ok) toast.error(result.error);
      else if (result.data.ok) toast.success(result.data.live?.message ?? result.data.message);
      else if (result.data.live) toast.error(result.data.live.message);
      else toast.error(`${result.data.message}: ${Object.values(result.data.fieldErrors ?? {}).flat().join("; ")}`);
      router.refresh();
    });
  }

  return (
    <div className="flex flex-wrap gap-2">
      <Button variant="secondary" onClick={test} pending={testing}>
        <PlugZap className="h-4 w-4" aria-hidden /> Test connection
      </Button>
      {props.mayUpdate && (
        <Link href={props.editHref} className={linkButton}>
          <Pencil className="h-4 w-4" aria-hidden /> {props.editLabel}
        </Link>
      )}
      <ExportDialog name={props.registryName} yaml={props.exportYaml} />
      <DeleteDialog {...props} />
    </div>
  );
}

function ExportDialog({ name, yaml }: { name: string; yaml: string }) {
  const download = () => {
    const url = URL.createObjectURL(new Blob([yaml], { type: "application/yaml" }));
    const a = Object.assign(document.createElement("a"), { href: url, download: `${name.replace(/[^a-z0-9-_]+/gi, "-")}.yaml` });
    a.click();
    URL.revokeObjectURL(url);
  };
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button variant="secondary" onClick={() => setOpen(true)}>
        <Download className="h-4 w-4" aria-hidden /> Export
      </Button>
      <Dialog
        open={open}
        onOpenChange={setOpen}
        title="Export registry"
        description="The same shape Add Registry imports. Secrets are left out: fill them in before importing."
      >
        <CodeBlock label="Registry document (YAML)" className="max-h-72 bg-slate-900 text-slate-100" testId="export-yaml">
          {yaml}
        </CodeBlock>
        <div className="mt-4 flex justify-end gap-2">
          <Button variant="secondary" onClick={() => navigator.clipboard.writeText(yaml).then(() => toast.success("Copied"))}>
            Copy
          </Button>
          <Button onClick={download}>Download .yaml</Button>
        </div>
      </Dialog>
    </>
  );
}

function DeleteDialog(props: { teamSlug: string; registryId: string; registryName: string; deleteRefusal: string | null; inUseBy: number }) {
  const router = useRouter();
  return (
    <ConfirmDialog
      trigger={
        <>
          <Trash2 className="h-4 w-4" aria-hidden /> Delete
        </>
      }
      refusal={props.deleteRefusal}
      title={`Delete “${props.registryName}”?`}
      description={
        props.inUseBy > 0
          ? `${props.inUseBy} container${props.inUseBy === 1 ? " uses" : "s use"} it: deletion will be refused until they use another registry.`
          : "Its credentials are erased, and the pull secrets it wrote are removed from every environment. Containers can no longer pull with them."
      }
      confirmLabel="Delete registry"
      onConfirm={async () => {
        const result = await registryClient(props.teamSlug).delete({ registryId: props.registryId });
        if (!result.ok) return result.error;
        toast.success(`Registry “${props.registryName}” deleted`);
        router.push(`/t/${props.teamSlug}/settings/registries`);
      }}
    />
  );
}
