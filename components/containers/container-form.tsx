"use client";
import { useState, useTransition } from "react";
import { useRouter } from "next/navigation";
import { Controller, useForm, useWatch } from "react-hook-form";
import { zodResolver } from "@hookform/resolvers/zod";
import { toast } from "@/components/ui/toast";
import { createContainerAction } from "@/app/_actions/environments";
import { containerInputSchema, type ContainerInput, type ContainerValues } from "@/lib/containers/schemas";
import { imageBelongsTo, imageNameOn, mismatchMessage, parseImage } from "@/lib/registries/image-ref";
import { applyFieldErrors } from "@/components/forms/apply-result";
import { Button } from "@/components/ui/button";
import { Field, FormError } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { Select } from "@/components/ui/select";

/** `defaultImageHost`: the host a path typed without one is on (none for ECR, whose host names an account). */
export type RegistryChoice = { id: string; name: string; typeLabel: string; imageHosts: string[]; defaultImageHost?: string };

const FIELDS = ["name", "registryId", "imageName", "imageTag", "replicas", "port"] as const;
const PUBLIC = "public";

const numberOrNull = (v: unknown) => (v === "" || v === null || v === undefined ? null : Number(v));

export function ContainerForm(props: { teamSlug: string; environmentId: string; registries: RegistryChoice[] }) {
  const router = useRouter();
  const [pending, start] = useTransition();
  const [formError, setFormError] = useState<string>();
  const form = useForm<ContainerInput, unknown, ContainerValues>({
    resolver: zodResolver(containerInputSchema),
    defaultValues: { environmentId: props.environmentId, name: "", registryId: "", imageName: "", imageTag: "latest", replicas: 1, port: null },
  });
  const { errors } = form.formState;
  const [registryId, imageName, imageTag] = useWatch({ control: form.control, name: ["registryId", "imageName", "imageTag"] });
  const registry = props.registries.find((r) => r.id === registryId);
  // The server saves the name the same way: a path without a host is on the chosen registry's host.
  const parsed = imageName ? parseImage(imageNameOn(imageName, registry?.defaultImageHost), imageTag ?? "") : undefined;
  const mismatch = parsed?.ok && registry && !imageBelongsTo(parsed.ref, registry.imageHosts) ? mismatchMessage(parsed.ref, registry.name, registry.imageHosts) : undefined;

  const submit = form.handleSubmit((values) => {
    if (mismatch) return form.setError("imageName", { type: "registry", message: mismatch });
    setFormError(undefined);
    start(async () => {
      const result = await createContainerAction({ teamSlug: props.teamSlug, ...values });
      if (!result.ok) {
        setFormError(applyFieldErrors(form.setError, FIELDS, result.fieldErrors) ?? (result.fieldErrors ? undefined : result.error));
        return;
      }
      toast.success(`Container “${values.name}” added`);
      router.push(`/t/${props.teamSlug}/containers/${result.data.containerId}`);
    });
  });

  const registryOptions = [{ value: PUBLIC, label: "Public (no auth)" }, ...props.registries.map((r) => ({ value: r.id, label: `${r.name} · ${r.typeLabel}` }))];
  return (
    <form onSubmit={submit} noValidate className="space-y-5">
      <FormError message={formError} />
      <Field id="ctr-name" label="Name" error={errors.name?.message} help="The Deployment / service name: lower-case letters, digits and dashes.">
        {(a11y) => <Input {...a11y} {...form.register("name")} placeholder="api" className="font-mono" />}
      </Field>
      <Field id="ctr-registry" label="Registry" error={errors.registryId?.message} help="Its credentials are handed to the orchestrator at each pull.">
        {(a11y) => (
          <Controller
            control={form.control}
            name="registryId"
            render={({ field }) => (
              <Select {...a11y} value={field.value || PUBLIC} onValueChange={(v) => field.onChange(v === PUBLIC ? "" : v)} options={registryOptions} />
            )}
          />
        )}
      </Field>
      <div className="grid gap-5 sm:grid-cols-[2fr_1fr]">
        <Field id="ctr-image" label="Image" error={errors.imageName?.message ?? mismatch}>
          {(a11y) => <Input {...a11y} {...form.register("imageName")} placeholder={registry && !registry.defaultImageHost ? `${registry.imageHosts[0]?.replace(/^\*\./, "123456789012.")}/team/app` : registry ? "team/app" : "postgres"} className="font-mono" />}
        </Field>
        <Field id="ctr-tag" label="Tag or digest" error={errors.imageTag?.message}>
          {(a11y) => <Input {...a11y} {...form.register("imageTag")} placeholder="17-alpine or sha256:…" className="font-mono" />}
        </Field>
      </div>
      <p className="text-sm text-slate-600" aria-live="polite">
        Pulls{" "}
        <code className="rounded bg-slate-100 px-1.5 py-0.5 font-mono text-xs" data-testid="normalised-image">
          {parsed?.ok ? parsed.ref.full : "—"}
        </code>
        {parsed?.ok && (registry ? ` with the credentials of “${registry.name}”` : " without credentials")}
      </p>
      <div className="grid gap-5 sm:grid-cols-2">
        <Field id="ctr-replicas" label="Replicas" error={errors.replicas?.message}>
          {(a11y) => <Input {...a11y} type="number" min={0} max={50} {...form.register("replicas", { setValueAs: numberOrNull })} />}
        </Field>
        <Field id="ctr-port" label="Port (optional)" error={errors.port?.message}>
          {(a11y) => <Input {...a11y} type="number" min={1} max={65535} placeholder="8080" {...form.register("port", { setValueAs: numberOrNull })} />}
        </Field>
      </div>
      <div className="flex justify-end gap-2 border-t border-slate-100 pt-5">
        <Button type="button" variant="secondary" onClick={() => router.back()}>
          Cancel
        </Button>
        <Button type="submit" pending={pending}>
          Add container
        </Button>
      </div>
    </form>
  );
}
