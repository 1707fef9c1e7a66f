"use client";
import { useState, useTransition } from "react";
import { useForm } from "react-hook-form";
import { zodResolver } from "@hookform/resolvers/zod";
import { toast } from "@/components/ui/toast";
import type { z } from "zod";
import { renameTeamAction } from "@/app/_actions/teams";
import { renameTeamSchema } from "@/lib/teams/schemas";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Field, FormError } from "@/components/ui/field";
import { applyFieldErrors } from "@/components/forms/apply-result";

export function TeamNameForm({ teamSlug, name }: { teamSlug: string; name: string }) {
  const [pending, startTransition] = useTransition();
  const [formError, setFormError] = useState<string>();
  const form = useForm<z.input<typeof renameTeamSchema>, unknown, z.output<typeof renameTeamSchema>>({
    resolver: zodResolver(renameTeamSchema),
    defaultValues: { name },
  });

  const onSubmit = form.handleSubmit((values) => {
    setFormError(undefined);
    startTransition(async () => {
      const result = await renameTeamAction({ teamSlug, ...values });
      if (!result.ok) {
        setFormError(applyFieldErrors(form.setError, ["name"], result.fieldErrors) ?? (result.fieldErrors ? undefined : result.error));
        return;
      }
      toast.success(`Team renamed to “${result.data.name}”`);
      form.reset({ name: result.data.name });
    });
  });

  return (
    <form onSubmit={onSubmit} noValidate className="space-y-3">
      <FormError message={formError} />
      <div className="grid gap-3 sm:grid-cols-[1fr_auto] sm:items-start">
        <Field id="team-rename" label="Team name" help={`Its address stays /t/${teamSlug}, so links keep working.`} error={form.formState.errors.name?.message}>
          {(a11y) => <Input {...a11y} {...form.register("name")} />}
        </Field>
        <Button type="submit" variant="secondary" pending={pending} className="sm:mt-6">
          Rename
        </Button>
      </div>
    </form>
  );
}
