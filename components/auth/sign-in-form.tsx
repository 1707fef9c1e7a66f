"use client";
import { useState, useTransition } from "react";
import Link from "next/link";
import { useForm } from "react-hook-form";
import { zodResolver } from "@hookform/resolvers/zod";
import type { z } from "zod";
import { signInAction } from "@/app/(auth)/actions";
import { signInSchema } from "@/lib/auth/schemas";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Field, FormError } from "@/components/ui/field";
import { Card } from "@/components/ui/card";
import { applyFieldErrors } from "@/components/forms/apply-result";
import type { PendingInvitation } from "@/lib/teams/invitations";

type Values = z.input<typeof signInSchema>;

/** From an invitation link, signing in accepts it. */
export function SignInForm({ callbackUrl, invitation }: { callbackUrl?: string; invitation: PendingInvitation | null }) {
  const [pending, startTransition] = useTransition();
  const [formError, setFormError] = useState<string>();
  const form = useForm<Values, unknown, z.output<typeof signInSchema>>({
    resolver: zodResolver(signInSchema),
    defaultValues: { email: invitation?.email ?? "", password: "", callbackUrl, invite: invitation?.token },
  });
  const { errors } = form.formState;

  const onSubmit = form.handleSubmit((values) => {
    setFormError(undefined);
    startTransition(async () => {
      const result = await signInAction(values);
      if (result && !result.ok) {
        setFormError(applyFieldErrors(form.setError, ["email", "password"], result.fieldErrors) ?? result.error);
      }
    });
  });

  return (
    <Card className="p-6">
      <h1 className="text-xl font-semibold">Sign in</h1>
      <p className="mt-1 text-sm text-slate-600">
        {invitation
          ? `Sign in as ${invitation.email} to join ${invitation.teamName} as ${invitation.role}.`
          : "Welcome back. Sign in to manage your registries and deployments."}
      </p>
      <form onSubmit={onSubmit} noValidate className="mt-6 space-y-4">
        <FormError message={formError} />
        <Field id="email" label="E-mail" error={errors.email?.message}>
          {(a11y) => <Input type="email" autoComplete="email" {...a11y} {...form.register("email")} />}
        </Field>
        <Field id="password" label="Password" error={errors.password?.message}>
          {(a11y) => <Input type="password" autoComplete="current-password" {...a11y} {...form.register("password")} />}
        </Field>
        <Button type="submit" className="w-full" pending={pending}>
          Sign in
        </Button>
      </form>
      <p className="mt-6 text-center text-sm text-slate-500">
        New here?{" "}
        <Link href={invitation ? `/sign-up?invite=${invitation.token}` : "/sign-up"} className="font-medium text-slate-900 underline">
          Create an account
        </Link>
      </p>
    </Card>
  );
}
