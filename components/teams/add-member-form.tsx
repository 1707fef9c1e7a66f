"use client";
import { useState, useTransition } from "react";
import { Controller, useForm } from "react-hook-form";
import { zodResolver } from "@hookform/resolvers/zod";
import { toast } from "@/components/ui/toast";
import type { z } from "zod";
import { Copy } from "lucide-react";
import { addMemberAction } from "@/app/_actions/teams";
import { addMemberSchema } from "@/lib/teams/schemas";
import { formatDateTime } from "@/lib/format";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Select } from "@/components/ui/select";
import { Field, FormError } from "@/components/ui/field";
import { applyFieldErrors } from "@/components/forms/apply-result";

type Invited = { email: string; role: string; url: string; expiresAt: string };

/** Adds someone with an account at once; for anyone else it shows the invitation link to send them. */
export function AddMemberForm({ teamSlug, canGrantOwner }: { teamSlug: string; canGrantOwner: boolean }) {
  const [pending, startTransition] = useTransition();
  const [formError, setFormError] = useState<string>();
  const [invited, setInvited] = useState<Invited>();
  const form = useForm<z.input<typeof addMemberSchema>, unknown, z.output<typeof addMemberSchema>>({
    resolver: zodResolver(addMemberSchema),
    defaultValues: { email: "", role: "member" },
  });
  const roles = (canGrantOwner ? ["member", "admin", "owner"] : ["member", "admin"]).map((r) => ({ value: r, label: r }));

  const onSubmit = form.handleSubmit((values) => {
    setFormError(undefined);
    setInvited(undefined);
    startTransition(async () => {
      const result = await addMemberAction({ teamSlug, ...values });
      if (!result.ok) {
        setFormError(applyFieldErrors(form.setError, ["email", "role"], result.fieldErrors) ?? (result.fieldErrors ? undefined : result.error));
        return;
      }
      if (result.data.added) {
        toast.success(`${values.email} added as ${values.role}`);
      } else {
        const { invitation } = result.data;
        // The link's token exists only in this answer: the server keeps its hash.
        setInvited({ email: invitation.email, role: invitation.role, url: `${window.location.origin}${invitation.path}`, expiresAt: formatDateTime(invitation.expiresAt) });
      }
      form.reset({ email: "", role: values.role });
    });
  });

  return (
    <div className="space-y-4">
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
      {invited && <InvitationLink invited={invited} />}
    </div>
  );
}

function InvitationLink({ invited }: { invited: Invited }) {
  const copy = () =>
    navigator.clipboard.writeText(invited.url).then(
      () => toast.success("Invitation link copied"),
      () => toast.error("Could not copy: select the link and copy it"),
    );
  return (
    <div role="status" className="space-y-2 rounded-md border border-blue-200 bg-blue-50 p-4 text-sm text-slate-800" data-testid="invitation-link">
      <p>
        <span className="font-medium">{invited.email}</span> has no account yet, so they are invited as {invited.role}. Send them this link: it works once, for
        that e-mail only, until {invited.expiresAt}. It is shown only now; inviting them again makes a new one.
      </p>
      <div className="flex flex-col gap-2 sm:flex-row">
        <label htmlFor="invitation-url" className="sr-only">
          Invitation link
        </label>
        <Input id="invitation-url" readOnly value={invited.url} onFocus={(e) => e.currentTarget.select()} className="font-mono text-xs" />
        <Button type="button" variant="secondary" onClick={copy}>
          <Copy className="h-4 w-4" aria-hidden /> Copy link
        </Button>
      </div>
    </div>
  );
}
