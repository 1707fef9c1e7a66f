"use client";
import { useState, useTransition } from "react";
import { useRouter } from "next/navigation";
import { useForm } from "react-hook-form";
import { zodResolver } from "@hookform/resolvers/zod";
import { toast } from "@/components/ui/toast";
import type { z } from "zod";
import { createTeamAction } from "@/app/_actions/teams";
import { createTeamSchema } from "@/lib/teams/schemas";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Field, FormError } from "@/components/ui/field";
import { Dialog } from "@/components/ui/dialog";
import { applyFieldErrors } from "@/components/forms/apply-result";

export function CreateTeamForm({ onDone }: { onDone?: () => void }) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [formError, setFormError] = useState<string>();
  const form = useForm<z.input<typeof createTeamSchema>>({ resolver: zodResolver(createTeamSchema), defaultValues: { name: "" } });

  const onSubmit = form.handleSubmit((values) => {
    setFormError(undefined);
    startTransition(async () => {
      const result = await createTeamAction(values);
      if (!result.ok) {
        setFormError(applyFieldErrors(form.setError, ["name"], result.fieldErrors) ?? (result.fieldErrors ? undefined : result.error));
        return;
      }
      toast.success(`Team “${result.data.name}” created`);
      onDone?.();
      router.push(`/t/${result.data.slug}/settings/team`);
    });
  });

  return (
    <form onSubmit={onSubmit} noValidate className="space-y-4">
      <FormError message={formError} />
      <Field id="team-name" label="Team name" error={form.formState.errors.name?.message}>
        {(a11y) => <Input placeholder="Platform team" {...a11y} {...form.register("name")} />}
      </Field>
      <div className="flex justify-end">
        <Button type="submit" pending={pending}>
          Create team
        </Button>
      </div>
    </form>
  );
}

export function CreateTeamDialog({ onClose }: { onClose: () => void }) {
  return (
    <Dialog open onOpenChange={onClose} title="Create a team" description="Teams share registries and environments. You will be its owner.">
      <CreateTeamForm onDone={onClose} />
    </Dialog>
  );
}
