"use client";
import { useState, useTransition } from "react";
import Link from "next/link";
import { useForm } from "react-hook-form";
import { zodResolver } from "@hookform/resolvers/zod";
import type { z } from "zod";
import { signUpAction } from "@/app/(auth)/actions";
import { signUpSchema } from "@/lib/auth/schemas";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Field, FormError } from "@/components/ui/field";
import { Card } from "@/components/ui/card";
import { applyFieldErrors } from "@/components/forms/apply-result";
import type { PendingInvitation } from "@/lib/teams/invitations";

type Values = z.input<typeof signUpSchema>;

/** From an invitation link the e-mail is the invited one, and the new account joins that team. */
export function SignUpForm({ invitation }: { invitation: PendingInvitation | null }) {
  const [pending, startTransition] = useTransition();
  const [formError, setFormError] = useState<string>();
  const form = useForm<Values, unknown, z.output<typeof signUpSchema>>({
    resolver: zodResolver(signUpSchema),
    defaultValues: { name: "", email: invitation?.email ?? "", password: "", invite: invitation?.token },
  });
  const { errors } = form.formState;

  const onSubmit = form.handleSubmit((values) => {
    setFormError(undefined);
    startTransition(async () => {
      const result = await signUpAction(values);
      if (result && !result.ok) {
        setFormError(applyFieldErrors(form.setError, ["name", "email", "password"], result.fieldErrors) ?? (result.fieldErrors ? undefined : result.error));
      }
    });
  });

  return (
    <Card className="p-6">
      <h1 className="text-xl font-semibold">{invitation ? `Create your account to join ${invitation.teamName}` : "Create your account"}</h1>
      <p className="mt-1 text-sm text-slate-600">
        {invitation
          ? `You join ${invitation.teamName} as ${invitation.role}, and get a personal team of your own.`
          : "You get a personal team to save registry credentials in."}
      </p>
      <form onSubmit={onSubmit} noValidate className="mt-6 space-y-4">
        <FormError message={formError} />
        <Field id="name" label="Name" error={errors.name?.message}>
          {(a11y) => <Input autoComplete="name" {...a11y} {...form.register("name")} />}
        </Field>
        <Field id="email" label="E-mail" help={invitation ? "The invitation is for this address." : undefined} error={errors.email?.message}>
          {(a11y) => <Input type="email" autoComplete="email" readOnly={Boolean(invitation)} {...a11y} {...form.register("email")} />}
        </Field>
        <Field id="password" label="Password" help="At least 10 characters." error={errors.password?.message}>
          {(a11y) => <Input type="password" autoComplete="new-password" {...a11y} {...form.register("password")} />}
        </Field>
        <Button type="submit" className="w-full" pending={pending}>
          Create account
        </Button>
      </form>
      <p className="mt-6 text-center text-sm text-slate-500">
        Already have an account?{" "}
        <Link href={invitation ? `/sign-in?invite=${invitation.token}` : "/sign-in"} className="font-medium text-slate-900 underline">
          Sign in
        </Link>
      </p>
    </Card>
  );
}
