"use client";
import { useState, useTransition } from "react";
import { useRouter } from "next/navigation";
import { Controller, useForm, useWatch, type Path, type Resolver } from "react-hook-form";
import { zodResolver } from "@hookform/resolvers/zod";
import { toast } from "@/components/ui/toast";
import { PlugZap } from "lucide-react";
import { createEnvironmentAction, testConnectionAction, updateEnvironmentAction } from "@/app/_actions/environments";
import { CONNECTION_FIELDS, ORCHESTRATORS, environmentEditSchema, environmentInputSchema, type EnvironmentInput, type SecretConnectionField } from "@/lib/environments/schemas";
import type { ConnectionTest } from "@/lib/environments/service";
import { applyFieldErrors } from "@/components/forms/apply-result";
import { Button } from "@/components/ui/button";
import { Field, FormError } from "@/components/ui/field";
import { Input, Textarea } from "@/components/ui/input";
import { Select } from "@/components/ui/select";
import { VerdictPanel } from "@/components/ui/verdict";
import { connectionVerdict } from "./connection-verdict";

type Values = EnvironmentInput & { environmentId?: string };

const FIELDS = ["name", "slug", ...CONNECTION_FIELDS];

/** What the edit form knows of a saved environment: its address, and which secrets are saved (never their values). */
export type EnvironmentEditTarget = {
  environmentId: string;
  name: string;
  slug: string;
  orchestrator: EnvironmentInput["orchestrator"];
  connection: Record<string, string>;
  secretFields: SecretConnectionField[];
};

/** What the slug names on the orchestrator: where two environments with one slug would collide. */
function namesOf(orchestrator: string | undefined, slug: string | undefined) {
  if (orchestrator === "swarm") return `Swarm services: ${slug}_<container>`;
  if (orchestrator === "compose") return `Compose project: env-${slug}`;
  return `Kubernetes namespace: env-${slug}`;
}

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

/** The connection part of the values, as typed: a check is about exactly these. */
const connectionKey = (v: Partial<Values>) => JSON.stringify(CONNECTION_FIELDS.map((f) => v[f] ?? ""));

const resolveCreate = zodResolver(environmentInputSchema) as unknown as Resolver<Values>;
const editResolver = zodResolver(environmentEditSchema) as unknown as Resolver<Values>;
/** An edit parses without the slug (it cannot change); an empty secret keeps the saved one. */
const resolveEdit: Resolver<Values> = (values, context, options) => {
  const withoutSlug: Partial<Values> = { ...values };
  delete withoutSlug.slug;
  return editResolver(withoutSlug as Values, context, options);
};

/** A connection check of typed values, for the values it was run on. */
type Checked = { key: string; result: ConnectionTest };

function defaultsFor(edit: EnvironmentEditTarget | undefined): Values {
  const empty = { kubeconfig: "", sshPrivateKey: "", tlsCa: "", tlsCert: "", tlsKey: "" };
  if (!edit) return { name: "", slug: "", orchestrator: "kubernetes", kubeMode: "kubeconfig", dockerHost: "", ...empty };
  const kubeMode = edit.connection.mode === "in-cluster" ? "in-cluster" : "kubeconfig";
  // Secrets stay on the server: their fields start empty, which keeps the saved values.
  return { environmentId: edit.environmentId, name: edit.name, slug: edit.slug, orchestrator: edit.orchestrator, kubeMode, dockerHost: edit.connection.dockerHost ?? "", ...empty };
}

export function EnvironmentForm({ teamSlug, edit }: { teamSlug: string; edit?: EnvironmentEditTarget }) {
  const router = useRouter();
  const [saving, startSaving] = useTransition();
  const [testing, startTesting] = useTransition();
  const [formError, setFormError] = useState<string>();
  const [slugEdited, setSlugEdited] = useState(Boolean(edit));
  const [checked, setChecked] = useState<Checked | "pending">();
  const form = useForm<Values>({ resolver: edit ? resolveEdit : resolveCreate, defaultValues: defaultsFor(edit) });
  const { errors } = form.formState;
  const watched = useWatch({ control: form.control });
  const { orchestrator, kubeMode, dockerHost, slug } = watched;
  const keyNow = connectionKey(watched);
  // A check says something about the values it ran on only: once they are edited, it no longer applies.
  const check = checked === "pending" ? "pending" : checked?.key === keyNow ? checked.result : undefined;
  const saveAnyway = check !== undefined && check !== "pending" && !check.ok;
  const saved = (field: SecretConnectionField) => Boolean(edit?.secretFields.includes(field));
  const keepHint = (field: SecretConnectionField, fallback: string) => (saved(field) ? "unchanged — leave empty to keep the saved value" : fallback);

  function showServerErrors(result: { error: string; fieldErrors?: Record<string, string[]> }) {
    setFormError(applyFieldErrors(form.setError, FIELDS, result.fieldErrors) ?? (result.fieldErrors ? undefined : result.error));
  }

  /** Checks the typed connection on the server; undefined when a field needs attention first. */
  async function runCheck(values: Values): Promise<ConnectionTest | undefined> {
    setChecked("pending");
    const connection = Object.fromEntries(CONNECTION_FIELDS.map((f) => [f, values[f]]));
    const result = await testConnectionAction({ teamSlug, ...connection, ...(edit ? { environmentId: edit.environmentId } : {}) });
    if (!result.ok && result.fieldErrors) {
      setChecked(undefined);
      showServerErrors(result);
      return undefined;
    }
    // A check that could not run (rate limited) is a failed check: saving stays allowed.
    const outcome: ConnectionTest = result.ok ? result.data : { ok: false, message: result.error };
    setChecked({ key: connectionKey(values), result: outcome });
    return outcome;
  }

  function testConnection() {
    setFormError(undefined);
    startTesting(async () => {
      const valid = await form.trigger(CONNECTION_FIELDS as unknown as Path<Values>[], { shouldFocus: true });
      if (valid) await runCheck(form.getValues());
    });
  }

  const submit = form.handleSubmit((values) => {
    setFormError(undefined);
    startSaving(async () => {
      // Saving checks the connection first, unless this exact connection was just checked. A
      // failed check holds the save until a second click ("Save anyway"): an unreachable host is
      // no reason to refuse it. An edit that leaves the connection as saved checks nothing.
      const untouched = edit && connectionKey(values) === connectionKey(defaultsFor(edit));
      const known = checked !== "pending" && checked?.key === connectionKey(values) ? checked.result : undefined;
      if (!untouched && !known) {
        const outcome = await runCheck(values);
        if (!outcome?.ok) return;
      }
      if (edit) {
        const result = await updateEnvironmentAction({ teamSlug, ...values });
        if (!result.ok) return showServerErrors(result);
        toast.success(result.data.changed.length === 0 ? "Nothing changed" : `Environment “${values.name}” saved`);
        router.push(`/t/${teamSlug}/environments/${edit.environmentId}`);
        router.refresh();
        return;
      }
      const result = await createEnvironmentAction({ teamSlug, ...values });
      if (!result.ok) return showServerErrors(result);
      toast.success(`Environment “${values.name}” added`);
      router.push(`/t/${teamSlug}/environments/${result.data.environmentId}`);
    });
  });

  const nameField = form.register("name");
  const kubeconfigHelp = edit?.connection.server
    ? `Saved: ${edit.connection.server} (context ${edit.connection.context}). Paste a new kubeconfig to rotate it; leave empty to keep it.`
    : "Stored encrypted, never shown again. Token, client-certificate or basic auth only: exec and auth-provider entries are refused because they would run commands on this server.";
  const keySecretHelp = edit ? "Leave empty to keep the saved one. A new host needs it typed again: a saved secret only goes to the host it was saved for." : "Stored encrypted, never shown again.";
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
        <Field
          id="env-slug"
          label="Slug"
          error={errors.slug?.message}
          help={edit ? `The slug of a saved environment cannot change (${namesOf(orchestrator, slug)}).` : namesOf(orchestrator, slug || "<slug>")}
        >
          {(a11y) => <Input {...a11y} {...form.register("slug", { onChange: () => setSlugEdited(true) })} placeholder="production" className="font-mono" disabled={Boolean(edit)} />}
        </Field>
      </div>

      <Field id="env-orchestrator" label="Orchestrator" error={errors.orchestrator?.message} help={edit ? "The orchestrator of a saved environment cannot change." : undefined}>
        {(a11y) => (
          <Controller
            control={form.control}
            name="orchestrator"
            render={({ field }) => <Select {...a11y} value={field.value} onValueChange={field.onChange} options={[...ORCHESTRATORS]} disabled={Boolean(edit)} />}
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
            <Field id="env-kubeconfig" label="Kubeconfig" error={errors.kubeconfig?.message} help={kubeconfigHelp}>
              {(a11y) => <Textarea {...a11y} rows={10} spellCheck={false} placeholder={keepHint("kubeconfig", "apiVersion: v1\nkind: Config\nclusters: …")} {...form.register("kubeconfig")} />}
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
            <Field id="env-ssh-key" label="SSH private key" error={errors.sshPrivateKey?.message} help={keySecretHelp}>
              {(a11y) => <Textarea {...a11y} rows={6} spellCheck={false} placeholder={keepHint("sshPrivateKey", "-----BEGIN OPENSSH PRIVATE KEY-----")} {...form.register("sshPrivateKey")} />}
            </Field>
          )}
          {dockerHost?.startsWith("tcp://") && (
            <div className="grid gap-5 sm:grid-cols-3">
              <Field id="env-tls-ca" label="CA certificate" error={errors.tlsCa?.message}>
                {(a11y) => <Textarea {...a11y} rows={5} spellCheck={false} placeholder={keepHint("tlsCa", "-----BEGIN CERTIFICATE-----")} {...form.register("tlsCa")} />}
              </Field>
              <Field id="env-tls-cert" label="Client certificate" error={errors.tlsCert?.message}>
                {(a11y) => <Textarea {...a11y} rows={5} spellCheck={false} placeholder={keepHint("tlsCert", "-----BEGIN CERTIFICATE-----")} {...form.register("tlsCert")} />}
              </Field>
              <Field id="env-tls-key" label="Client key" error={errors.tlsKey?.message} help={edit ? keySecretHelp : "Stored encrypted."}>
                {(a11y) => <Textarea {...a11y} rows={5} spellCheck={false} placeholder={keepHint("tlsKey", "-----BEGIN PRIVATE KEY-----")} {...form.register("tlsKey")} />}
              </Field>
            </div>
          )}
        </>
      )}

      <VerdictPanel
        id="connection-check"
        verdict={check === "pending" ? "pending" : check && connectionVerdict(check, { unsaved: true })}
        pendingText="Checking the connection…"
        testId="connection-check"
      />

      <div className="flex flex-wrap justify-end gap-2 border-t border-slate-100 pt-5">
        <Button type="button" variant="secondary" onClick={() => router.back()}>
          Cancel
        </Button>
        <Button type="button" variant="secondary" onClick={testConnection} pending={testing}>
          <PlugZap className="h-4 w-4" aria-hidden /> Test connection
        </Button>
        <Button type="submit" pending={saving} aria-describedby={saveAnyway ? "connection-check" : undefined}>
          {saveAnyway ? "Save anyway" : edit ? "Save changes" : "Add environment"}
        </Button>
      </div>
    </form>
  );
}
