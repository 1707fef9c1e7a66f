"use client";
import { useState, useTransition } from "react";
import { Controller, useForm } from "react-hook-form";
import { zodResolver } from "@hookform/resolvers/zod";
import { toast } from "sonner";
import type { z } from "zod";
import { addMemberAction } from "@/app/_actions/teams";
import { addMemberSchema } from "@/lib/teams/schemas";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Select } from "@/components/ui/select";
import { Field, FormError } from "@/components/ui/field";
import { applyFieldErrors } from "@/components/forms/apply-result";

export function AddMemberForm({ teamSlug, canGrantOwner }: { teamSlug: string; canGrantOwner: boolean }) {
  const [pending, startTransition] = useTransition();
  const [formError, setFormError] = useState<string>();
  const form = useForm<z.input<typeof addMemberSchema>, unknown, z.output<typeof addMemberSchema>>({
    resolver: zodResolver(addMemberSchema),
    defaultValues: { email: "", role: "member" },
  });
  const roles = (canGrantOwner ? ["member", "admin", "owner"] : ["member", "admin"]).map((r) => ({ value: r, label: r }));

  const onSubmit = form.handleSubmit((values) => {
    setFormError(undefined);
    startTransition(async () => {
      const result = await addMemberAction({ teamSlug, ...values });
      if (!result.ok) {
        setFormError(applyFieldErrors(form.setError, ["email", "role"], result.fieldErrors) ?? (result.fieldErrors ? undefined : result.error));
        return;
      }
      toast.success(`${values.email} added as ${values.role}`);
      form.reset({ email: "", role: values.role });
    });
  });

  return (
    <form onSubmit={onSubmit} noValidate className="space-y-3">
      <FormError message={formError} />
      <div className="grid gap-3 sm:grid-cols-[1fr_10rem_auto] sm:items-start">
        <Field id="member-email" label="E-mail" error={form.formState.errors.email?.message}>
          {(a11y) => <Input type="email" placeholder="colleague@example.com" {...a11y} {...form.register("email")} />}
        </Field>
        <Field id="member-role" label="Role" error={form.formState.errors.role?.message}>
          {(a11y) => (
            <Controller
              control={form.control}
              name="role"
              render={({ field }) => <Select {...a11y} value={field.value} onValueChange={field.onChange} options={roles} />}
            />
          )}
        </Field>
        <Button type="submit" pending={pending} className="sm:mt-6">
          Add member
        </Button>
      </div>
    </form>
  );
}
