"use client";
import { useState, useTransition } from "react";
import { useRouter } from "next/navigation";
import { Controller, useForm, useWatch } from "react-hook-form";
import { zodResolver } from "@hookform/resolvers/zod";
import { toast } from "sonner";
import { createEnvironmentAction } from "@/app/_actions/environments";
import { ORCHESTRATORS, environmentInputSchema, type EnvironmentInput, type EnvironmentValues } from "@/lib/environments/schemas";
import { applyFieldErrors } from "@/components/forms/apply-result";
import { Button } from "@/components/ui/button";
import { Field, FormError } from "@/components/ui/field";
import { Input, Textarea } from "@/components/ui/input";
import { Select } from "@/components/ui/select";

const FIELDS = ["name", "slug", "orchestrator", "kubeMode", "kubeconfig", "dockerHost", "sshPrivateKey", "tlsCa", "tlsCert", "tlsKey"] as const;

/** `Production EU` → `production-eu`, capped so `env-<slug>` stays a 63-character label. */
function slugFrom(name: string) {
  return name
    .toLowerCase()
    .normalize("NFKD")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 59)
    .replace(/-+$/g, "");
}

export function EnvironmentForm({ teamSlug }: { teamSlug: string }) {
  const router = useRouter();
  const [pending, start] = useTransition();
  const [formError, setFormError] = useState<string>();
  const [slugEdited, setSlugEdited] = useState(false);
  const form = useForm<EnvironmentInput, unknown, EnvironmentValues>({
    resolver: zodResolver(environmentInputSchema),
    defaultValues: { name: "", slug: "", orchestrator: "kubernetes", kubeMode: "kubeconfig", kubeconfig: "", dockerHost: "", sshPrivateKey: "", tlsCa: "", tlsCert: "", tlsKey: "" },
  });
  const { errors } = form.formState;
  const [orchestrator, kubeMode, dockerHost, slug] = useWatch({ control: form.control, name: ["orchestrator", "kubeMode", "dockerHost", "slug"] });

  const submit = form.handleSubmit((values) => {
    setFormError(undefined);
    start(async () => {
      const result = await createEnvironmentAction({ teamSlug, ...values });
      if (!result.ok) {
        setFormError(applyFieldErrors(form.setError, FIELDS, result.fieldErrors) ?? (result.fieldErrors ? undefined : result.error));
        return;
      }
      toast.success(`Environment “${values.name}” added`);
      router.push(`/t/${teamSlug}/environments/${result.data.environmentId}`);
    });
  });

  const nameField = form.register("name");
  return (
    <form onSubmit={submit} noValidate className="space-y-5">
      <FormError message={formError} />
      <div className="grid gap-5 sm:grid-cols-2">
        <Field id="env-name" label="Name" error={errors.name?.message}>
          {(a11y) => (
            <Input
              {...a11y}
              {...nameField}
              placeholder="production"
              onChange={(e) => {
                void nameField.onChange(e);
                if (!slugEdited) form.setValue("slug", slugFrom(e.target.value));
              }}
            />
          )}
        </Field>
        <Field id="env-slug" label="Slug" error={errors.slug?.message} help={`Kubernetes namespace: env-${slug || "<slug>"}`}>
          {(a11y) => <Input {...a11y} {...form.register("slug", { onChange: () => setSlugEdited(true) })} placeholder="production" className="font-mono" />}
        </Field>
      </div>

      <Field id="env-orchestrator" label="Orchestrator" error={errors.orchestrator?.message}>
        {(a11y) => (
          <Controller
            control={form.control}
            name="orchestrator"
            render={({ field }) => <Select {...a11y} value={field.value} onValueChange={field.onChange} options={[...ORCHESTRATORS]} />}
          />
        )}
      </Field>

      {orchestrator === "kubernetes" ? (
        <>
          <Field id="env-kube-mode" label="Connect with" error={errors.kubeMode?.message}>
            {(a11y) => (
              <Controller
                control={form.control}
                name="kubeMode"
                render={({ field }) => (
                  <Select
                    {...a11y}
                    value={field.value ?? "kubeconfig"}
                    onValueChange={field.onChange}
                    options={[
                      { value: "kubeconfig", label: "A pasted kubeconfig" },
                      { value: "in-cluster", label: "The dashboard's in-cluster service account" },
                    ]}
                  />
                )}
              />
            )}
          </Field>
          {kubeMode !== "in-cluster" && (
            <Field
              id="env-kubeconfig"
              label="Kubeconfig"
              error={errors.kubeconfig?.message}
              help="Stored encrypted, never shown again. Token, client-certificate or basic auth only: exec and auth-provider entries are refused because they would run commands on this server."
            >
              {(a11y) => <Textarea {...a11y} rows={10} spellCheck={false} placeholder={"apiVersion: v1\nkind: Config\nclusters: …"} {...form.register("kubeconfig")} />}
            </Field>
          )}
        </>
      ) : (
        <>
          <Field
            id="env-docker-host"
            label={orchestrator === "swarm" ? "Swarm manager's Docker host" : "Node's Docker host"}
            error={errors.dockerHost?.message}
            help="ssh://user@host with a private key, tcp://host:2376 with TLS client certificates, or unix:///var/run/docker.sock"
          >
            {(a11y) => <Input {...a11y} {...form.register("dockerHost")} placeholder="ssh://deploy@node-1.example.com" className="font-mono" />}
          </Field>
          {dockerHost?.startsWith("ssh://") && (
            <Field id="env-ssh-key" label="SSH private key" error={errors.sshPrivateKey?.message} help="Stored encrypted, never shown again.">
              {(a11y) => <Textarea {...a11y} rows={6} spellCheck={false} placeholder="-----BEGIN OPENSSH PRIVATE KEY-----" {...form.register("sshPrivateKey")} />}
            </Field>
          )}
          {dockerHost?.startsWith("tcp://") && (
            <div className="grid gap-5 sm:grid-cols-3">
              <Field id="env-tls-ca" label="CA certificate" error={errors.tlsCa?.message}>
                {(a11y) => <Textarea {...a11y} rows={5} spellCheck={false} placeholder="-----BEGIN CERTIFICATE-----" {...form.register("tlsCa")} />}
              </Field>
              <Field id="env-tls-cert" label="Client certificate" error={errors.tlsCert?.message}>
                {(a11y) => <Textarea {...a11y} rows={5} spellCheck={false} placeholder="-----BEGIN CERTIFICATE-----" {...form.register("tlsCert")} />}
              </Field>
              <Field id="env-tls-key" label="Client key" error={errors.tlsKey?.message} help="Stored encrypted.">
                {(a11y) => <Textarea {...a11y} rows={5} spellCheck={false} placeholder="-----BEGIN PRIVATE KEY-----" {...form.register("tlsKey")} />}
              </Field>
            </div>
          )}
        </>
      )}

      <div className="flex justify-end gap-2 border-t border-slate-100 pt-5">
        <Button type="button" variant="secondary" onClick={() => router.back()}>
          Cancel
        </Button>
        <Button type="submit" pending={pending}>
          Add environment
        </Button>
      </div>
    </form>
  );
}
