"use client";
import { useState, useTransition } from "react";
import { Controller, useForm, useWatch } from "react-hook-form";
import { zodResolver } from "@hookform/resolvers/zod";
import type { z } from "zod";
import { createTokenAction } from "@/app/_actions/api-tokens";
import { createTokenSchema, TOKEN_LIFETIMES_DAYS } from "@/lib/api-tokens/schemas";
import type { TeamRole } from "@/db/schema";
import { applyFieldErrors } from "@/components/forms/apply-result";
import { Button } from "@/components/ui/button";
import { Field, FormError } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { Select } from "@/components/ui/select";
import { NewTokenNotice } from "./new-token-notice";

type Values = z.input<typeof createTokenSchema>;
const FIELDS = ["teamSlug", "name", "role", "expiresInDays"] as const;
const ROLES: TeamRole[] = ["member", "admin", "owner"];

/** The roles a token may have in a team: the creator's own or a lower one (the server's rule says the same). */
const rolesUpTo = (own: TeamRole) => ROLES.slice(0, ROLES.indexOf(own) + 1);

export function CreateTokenForm({ teams }: { teams: { slug: string; name: string; role: TeamRole }[] }) {
  const [pending, startTransition] = useTransition();
  const [formError, setFormError] = useState<string>();
  const [created, setCreated] = useState<{ token: string; name: string; expiresAt: Date }>();
  const form = useForm<Values, unknown, z.output<typeof createTokenSchema>>({
    resolver: zodResolver(createTokenSchema),
    defaultValues: { teamSlug: teams[0]?.slug ?? "", name: "", role: "member", expiresInDays: 30 },
  });
  const { errors } = form.formState;
  const teamSlug = useWatch({ control: form.control, name: "teamSlug" });
  const ownRole = teams.find((t) => t.slug === teamSlug)?.role ?? "member";

  const onSubmit = form.handleSubmit((values) => {
    setFormError(undefined);
    startTransition(async () => {
      const result = await createTokenAction(values);
      if (!result.ok) {
        setFormError(applyFieldErrors(form.setError, FIELDS, result.fieldErrors) ?? (result.fieldErrors ? undefined : result.error));
        return;
      }
      setCreated({ token: result.data.token, name: values.name, expiresAt: result.data.expiresAt });
      form.reset({ ...values, name: "" });
    });
  });

  return (
    <div className="space-y-4">
      {created && <NewTokenNotice {...created} onDone={() => setCreated(undefined)} />}
      <form onSubmit={onSubmit} noValidate className="space-y-4">
        <FormError message={formError} />
        <Field id="token-name" label="Name" help="What will use it, e.g. “CI deploys”." error={errors.name?.message}>
          {(a11y) => <Input autoComplete="off" {...a11y} {...form.register("name")} />}
        </Field>
        <Field id="token-team" label="Team" help="A token acts in this one team only." error={errors.teamSlug?.message}>
          {(a11y) => (
            <Controller
              control={form.control}
              name="teamSlug"
              render={({ field }) => (
                <Select
                  {...a11y}
                  ref={field.ref}
                  value={field.value}
                  onValueChange={(slug) => {
                    field.onChange(slug);
                    // A lower own role in the newly chosen team may not allow the role chosen before.
                    form.setValue("role", "member");
                  }}
                  options={teams.map((t) => ({ value: t.slug, label: `${t.name} (you are ${t.role})` }))}
                />
              )}
            />
          )}
        </Field>
        <Field id="token-role" label="Role" help="Your role in the team or a lower one; if your own role is lowered, the token's is too." error={errors.role?.message}>
          {(a11y) => (
            <Controller
              control={form.control}
              name="role"
              render={({ field }) => <Select {...a11y} ref={field.ref} value={field.value} onValueChange={field.onChange} options={rolesUpTo(ownRole).map((r) => ({ value: r, label: r }))} />}
            />
          )}
        </Field>
        <Field id="token-expiry" label="Expires after" error={errors.expiresInDays?.message}>
          {(a11y) => (
            <Controller
              control={form.control}
              name="expiresInDays"
              render={({ field }) => (
                <Select
                  {...a11y}
                  ref={field.ref}
                  value={String(field.value)}
                  onValueChange={(days) => field.onChange(Number(days))}
                  options={TOKEN_LIFETIMES_DAYS.map((d) => ({ value: String(d), label: `${d} days` }))}
                />
              )}
            />
          )}
        </Field>
        <div className="flex justify-end">
          <Button type="submit" pending={pending}>
            Create token
          </Button>
        </div>
      </form>
    </div>
  );
}
