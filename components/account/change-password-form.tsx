"use client";
import { useState, useTransition } from "react";
import { useForm } from "react-hook-form";
import { zodResolver } from "@hookform/resolvers/zod";
import { toast } from "@/components/ui/toast";
import type { z } from "zod";
import { changePasswordAction } from "@/app/(auth)/actions";
import { changePasswordSchema } from "@/lib/auth/schemas";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Field, FormError } from "@/components/ui/field";
import { applyFieldErrors } from "@/components/forms/apply-result";

type Values = z.input<typeof changePasswordSchema>;
const FIELDS = ["currentPassword", "newPassword", "confirmPassword"] as const;

export function ChangePasswordForm() {
  const [pending, startTransition] = useTransition();
  const [formError, setFormError] = useState<string>();
  const form = useForm<Values, unknown, z.output<typeof changePasswordSchema>>({
    resolver: zodResolver(changePasswordSchema),
    defaultValues: { currentPassword: "", newPassword: "", confirmPassword: "" },
  });
  const { errors } = form.formState;

  const onSubmit = form.handleSubmit((values) => {
    setFormError(undefined);
    startTransition(async () => {
      const result = await changePasswordAction(values);
      if (!result.ok) {
        setFormError(applyFieldErrors(form.setError, FIELDS, result.fieldErrors) ?? (result.fieldErrors ? undefined : result.error));
        return;
      }
      form.reset();
      toast.success("Password changed. Your other sessions are signed out.");
    });
  });

  return (
    <form onSubmit={onSubmit} noValidate className="space-y-4">
      <FormError message={formError} />
      <Field id="current-password" label="Current password" error={errors.currentPassword?.message}>
        {(a11y) => <Input type="password" autoComplete="current-password" {...a11y} {...form.register("currentPassword")} />}
      </Field>
      <Field id="new-password" label="New password" help="At least 10 characters." error={errors.newPassword?.message}>
        {(a11y) => <Input type="password" autoComplete="new-password" {...a11y} {...form.register("newPassword")} />}
      </Field>
      <Field id="confirm-password" label="New password, again" error={errors.confirmPassword?.message}>
        {(a11y) => <Input type="password" autoComplete="new-password" {...a11y} {...form.register("confirmPassword")} />}
      </Field>
      <div className="flex justify-end">
        <Button type="submit" pending={pending}>
          Change password
        </Button>
      </div>
    </form>
  );
}
