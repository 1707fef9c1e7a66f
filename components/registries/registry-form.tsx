"use client";
import { useMemo, useState, useTransition, type ReactNode } from "react";
import { useRouter } from "next/navigation";
import { Controller, useForm, useWatch, type Path, type Resolver } from "react-hook-form";
import { zodResolver } from "@hookform/resolvers/zod";
import { toast } from "@/components/ui/toast";
import { FileUp, Loader2 } from "lucide-react";
import {
  REGISTRY_TYPES,
  emptyCredentials,
  fieldNames,
  isSecretField,
  registryInputSchema,
  typeDef,
  updateSchemaFor,
  type CredentialField,
  type RegistryType,
} from "@/lib/registries/catalog";
import { registryClient } from "@/lib/registries/client";
import { verdictOf } from "@/lib/registries/test-verdict";
import type { TestOutcome } from "@/db/schema";
import type { ProbeLine } from "@/lib/registries/rollout";
import { Button } from "@/components/ui/button";
import { Input, Textarea } from "@/components/ui/input";
import { SecretInput } from "@/components/ui/secret-input";
import { Select } from "@/components/ui/select";
import { Field, FormError } from "@/components/ui/field";
import { Card } from "@/components/ui/card";
import { VerdictPanel, type VerdictView } from "@/components/ui/verdict";
import { applyFieldErrors } from "@/components/forms/apply-result";
import { ProbeResults, probeSummary } from "./probe-results";

/** The type is a form value: an import that changes it is validated against the new type at once. */
type Values = { type: RegistryType; name: string; credentials: Record<string, string> };

export type EditTarget = {
  registryId: string;
  name: string;
  type: RegistryType;
  visibleFields: Record<string, string>;
  secretFields: string[];
  lastTest: TestOutcome | null;
  lastTestAt: string | null;
  /** Distinct images its containers run: new credentials are probed against them before saving. */
  imagesInUse: number;
};

/** The pull probe of typed credentials, for the values it was run on. */
type ProbeView = { pending: true } | { pending?: false; credentials: string; passed: number; total: number; results: ProbeLine[]; error?: undefined } | { pending?: false; credentials: string; error: string };

/**
 * A Test Connection, for the values it ran on: once they are edited it no longer applies. In the
 * Add form the server kept it as the registry's last test for exactly these values (`testToken`).
 */
type Tested = { values: string; verdict: VerdictView; testToken?: string };

const TYPE_OPTIONS = REGISTRY_TYPES.map((t) => ({ value: t.type, label: t.label }));

/** The form resolves against the same catalog schemas the server parses. */
function resolverFor(editType: RegistryType | undefined): Resolver<Values> {
  if (!editType) return zodResolver(registryInputSchema) as unknown as Resolver<Values>;
  // An edit parses `{ name, credentials }`: the type of a saved registry is not part of it.
  const update = zodResolver(updateSchemaFor(editType)) as unknown as Resolver<Omit<Values, "type">>;
  return ((values, context, options) => update({ name: values.name, credentials: values.credentials }, context, options as never)) as Resolver<Values>;
}

export function RegistryForm({ teamSlug, edit }: { teamSlug: string; edit?: EditTarget }) {
  const router = useRouter();
  const [saving, startSaving] = useTransition();
  const [testing, startTesting] = useTransition();
  const [formError, setFormError] = useState<string>();
  const [tested, setTested] = useState<Tested | "pending">();
  const [tryImage, setTryImage] = useState("");
  const [probe, setProbe] = useState<ProbeView>();
  const resolver = useMemo(() => resolverFor(edit?.type), [edit?.type]);
  const registry = useMemo(() => registryClient(teamSlug), [teamSlug]);

  const form = useForm<Values>({
    resolver,
    defaultValues: edit
      ? { type: edit.type, name: edit.name, credentials: { ...emptyCredentials(edit.type), ...edit.visibleFields } }
      : { type: "GHCR", name: "", credentials: emptyCredentials("GHCR") },
  });
  const type = useWatch({ control: form.control, name: "type" });
  const def = typeDef(type);
  const fieldPaths = ["name", ...fieldNames(type).map((n) => `credentials.${n}`)];

  function clearTest() {
    setTested(undefined);
    setFormError(undefined);
  }

  function changeType(next: string) {
    const nextType = next as RegistryType;
    clearTest();
    // The name stays; the credentials are those of the new type.
    form.reset({ type: nextType, name: form.getValues("name"), credentials: emptyCredentials(nextType) });
  }

  function importDocument(doc: { name: string; type: RegistryType; credentials: Record<string, string> }) {
    clearTest();
    form.reset({ type: doc.type, name: doc.name, credentials: { ...emptyCredentials(doc.type), ...doc.credentials } });
    // Only what the document filled in is checked: a secret it leaves out (an export has none)
    // is not an error before anyone had a chance to type it.
    const filled = [doc.name ? "name" : undefined, ...Object.entries(doc.credentials).filter(([, v]) => v !== "").map(([k]) => `credentials.${k}`)];
    const names = filled.filter((n): n is string => n !== undefined) as Path<Values>[];
    if (names.length > 0) void form.trigger(names);
  }

  function showServerErrors(result: { error: string; fieldErrors?: Record<string, string[]> }) {
    const rest = applyFieldErrors(form.setError, fieldPaths, result.fieldErrors);
    setFormError(rest ?? (result.fieldErrors ? undefined : result.error));
  }

  // What was tested is compared as typed; the server binds its result to the parsed values again.
  const typedValues = (v: Pick<Values, "type" | "credentials">) => JSON.stringify([v.type, v.credentials]);

  const onSubmit = form.handleSubmit((values) => {
    setFormError(undefined);
    startSaving(async () => {
      if (edit) {
        const probed = await probeBeforeSaving(edit, values.credentials);
        if (!probed.save) return;
        const result = await registry.update({ registryId: edit.registryId, name: values.name, credentials: values.credentials });
        if (!result.ok) return showServerErrors(result);
        const rotated = result.data.changed.some((f) => f !== "name");
        toast.success(
          rotated
            ? `Saved. Credentials are now version ${result.data.credentialVersion}: nothing is redeployed, the next pull uses them.${probed.summary ? ` ${probed.summary}.` : ""}`
            : result.data.changed.length > 0
              ? "Saved"
              : "Nothing changed",
        );
        router.push(`/t/${teamSlug}/settings/registries/${edit.registryId}`);
        router.refresh();
        return;
      }
      const testToken = tested !== "pending" && tested?.values === typedValues(values) ? tested.testToken : undefined;
      const result = await registry.create({ type: values.type, name: values.name, credentials: values.credentials, testToken });
      if (!result.ok) return showServerErrors(result);
      toast.success(`Registry “${values.name}” saved`);
      router.push(`/t/${teamSlug}/settings/registries/${result.data.registryId}`);
    });
  });

  /**
   * Changed credentials are probed against every image in use first. A failure is shown as a
   * warning and the save waits for a second click ("Save anyway") on the same values: saving
   * stays allowed, since an unreachable or not yet populated registry is no reason to refuse it.
   */
  async function probeBeforeSaving(target: EditTarget, credentials: Record<string, string>): Promise<{ save: boolean; summary?: string }> {
    // The values as typed (not as parsed), to compare with what the form shows later.
    const typed = JSON.stringify(form.getValues("credentials"));
    const changed = Object.entries(credentials).some(([name, value]) => (target.secretFields.includes(name) ? value !== "" : value !== (target.visibleFields[name] ?? "")));
    if (target.imagesInUse === 0 || !changed) return { save: true };
    if (warnedAbout(probe, typed)) return { save: true };
    setProbe({ pending: true });
    const result = await registry.probe({ registryId: target.registryId, credentials });
    if (!result.ok) {
      setProbe({ credentials: typed, error: result.error });
      return { save: false };
    }
    if (result.data.fieldErrors) {
      setProbe(undefined);
      showServerErrors({ error: "Some fields need attention", fieldErrors: result.data.fieldErrors });
      return { save: false };
    }
    setProbe({ credentials: typed, ...result.data });
    const summary = probeSummary(result.data, "The new credentials");
    return result.data.passed < result.data.total ? { save: false } : { save: true, summary };
  }

  // A warning is about the values it was given: once they are edited, it no longer applies.
  const credentialsNow = useWatch({ control: form.control, name: "credentials" });
  const typedNow = JSON.stringify(credentialsNow);
  const probeWarning = warnedAbout(probe, typedNow);
  const probeShown = probe?.pending || probe?.credentials === typedNow ? probe : undefined;
  const verdict = tested === "pending" ? "pending" : tested?.values === typedValues({ type, credentials: credentialsNow }) ? tested.verdict : undefined;

  function testConnection() {
    clearTest();
    startTesting(async () => {
      // The fields are checked in the browser at once (focus goes to the first that is not
      // valid); the server checks the same schema again, then asks the registry itself.
      const values = form.getValues();
      const valid = await form.trigger(undefined, { shouldFocus: true });
      if (!valid) {
        setTested({ values: typedValues(values), verdict: verdictOf({ ok: false, message: "" }) });
        return;
      }
      if (!def.anonymous) setTested("pending");
      const image = tryImage.trim() || undefined;
      const result = await registry.test(edit ? { registryId: edit.registryId, credentials: values.credentials, image } : { type: values.type, credentials: values.credentials, image });
      if (!result.ok) {
        setTested(undefined);
        showServerErrors(result);
        return;
      }
      applyFieldErrors(form.setError, fieldPaths, result.data.fieldErrors);
      setTested({ values: typedValues(values), verdict: verdictOf(result.data, { unsaved: true }), testToken: result.data.testToken });
    });
  }

  const errors = form.formState.errors;
  const credentialError = (name: string) => errors.credentials?.[name]?.message;

  return (
    <form onSubmit={onSubmit} noValidate className="space-y-6">
      {!edit && <ImportPanel onImport={importDocument} />}
      <Card className="space-y-5 p-6">
        <FormError message={formError} />
        <Field id="registry-type" label="Registry type" help={edit ? "The type of a saved registry cannot change." : def.description}>
          {(a11y) => <Select {...a11y} value={type} onValueChange={changeType} options={TYPE_OPTIONS} disabled={Boolean(edit)} />}
        </Field>
        <Field id="registry-name" label="Name" help="Shown in the registry list and the container form. Unique in the team." error={errors.name?.message}>
          {(a11y) => <Input placeholder="Production pulls" {...a11y} {...form.register("name")} />}
        </Field>
        {Object.entries(def.fields).map(([name, field]) => (
          <CredentialInput
            key={`${type}-${name}`}
            name={name}
            field={field}
            error={credentialError(name)}
            storedSecret={Boolean(edit?.secretFields.includes(name))}
            form={form}
          />
        ))}
        {def.anonymous && (
          <p className="rounded-md bg-slate-50 px-3 py-2 text-sm text-slate-600">
            No credentials are stored for a public registry, and containers using it get no pull secret.
          </p>
        )}
        {edit?.lastTest && !edit.lastTest.ok && (
          <p className="rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-800">
            The last check, at {edit.lastTestAt?.slice(0, 16).replace("T", " ")} UTC, failed: {verdictOf(edit.lastTest).message}
          </p>
        )}
        {!def.anonymous && (
          <Field id="try-image" label="Image to try (optional)" help="A repository path such as team/app: Test connection then also checks that these credentials may pull it.">
            {(a11y) => <Input {...a11y} value={tryImage} onChange={(e) => setTryImage(e.target.value)} placeholder="team/app" spellCheck={false} className="font-mono" />}
          </Field>
        )}
        <VerdictPanel verdict={verdict} pendingText="Checking with the registry…" testId="test-result" />
        {edit && edit.imagesInUse > 0 && <ProbeWarning probe={probeShown} />}
        <div className="flex flex-wrap justify-end gap-3 border-t border-slate-100 pt-5">
          <Button type="button" variant="secondary" onClick={testConnection} pending={testing}>
            Test connection
          </Button>
          <Button type="submit" pending={saving} aria-describedby={probeWarning ? "probe-warning" : undefined}>
            {edit ? (probeWarning ? "Save anyway" : "Save changes") : "Save registry"}
          </Button>
        </div>
      </Card>
    </form>
  );
}

function CredentialInput(props: {
  name: string;
  field: CredentialField;
  error?: string;
  storedSecret: boolean;
  form: ReturnType<typeof useForm<Values>>;
}) {
  const { name, field, error, storedSecret, form } = props;
  const path = `credentials.${name}` as const;
  const placeholder = storedSecret && isSecretField(field) ? "unchanged — leave empty to keep the saved value" : field.placeholder;
  return (
    <Field id={`credentials-${name}`} label={field.label} help={field.help} error={error}>
      {(a11y) => {
        switch (field.kind) {
          case "secret":
            return <SecretInput fieldLabel={field.label} placeholder={placeholder} {...a11y} {...form.register(path)} />;
          case "json":
            return <Textarea rows={8} spellCheck={false} placeholder={placeholder} {...a11y} {...form.register(path)} />;
          case "select":
            return (
              <Controller
                control={form.control}
                name={path}
                render={({ field: f }) => (
                  <Select {...a11y} value={f.value ?? ""} onValueChange={f.onChange} options={[...(field.options ?? [])]} placeholder={`Choose a ${field.label.toLowerCase()}`} />
                )}
              />
            );
          default:
            return <Input inputMode={field.kind === "url" ? "url" : undefined} spellCheck={false} placeholder={placeholder} {...a11y} {...form.register(path)} />;
        }
      }}
    </Field>
  );
}

/** The probe found a problem with exactly these credentials (or could not run): saving them again means "save anyway". */
function warnedAbout(probe: ProbeView | undefined, typed: string): boolean {
  return !!probe && !probe.pending && probe.credentials === typed && (probe.error !== undefined || probe.passed < probe.total);
}

function ProbeWarning({ probe }: { probe?: ProbeView }) {
  let body: ReactNode = null;
  if (probe?.pending) {
    body = (
      <div className="flex items-center gap-2 rounded-md bg-slate-50 px-3 py-2 text-sm text-slate-700" role="status">
        <Loader2 className="h-4 w-4 animate-spin" aria-hidden /> Checking that the new credentials can pull the images in use…
      </div>
    );
  } else if (probe?.error !== undefined) {
    body = (
      <div id="probe-warning" className="rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900" role="alert">
        The new credentials could not be probed: {probe.error.replace(/\.?$/, ".")} You can still save.
      </div>
    );
  } else if (probe && probe.passed < probe.total) {
    body = (
      <div id="probe-warning" className="space-y-2 rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900" role="alert">
        <p className="font-medium">
          Warning: the new credentials cannot pull {probe.total - probe.passed} of {probe.total} image{probe.total === 1 ? "" : "s"} in use.
        </p>
        <ProbeResults results={probe.results} />
        <p>You can still save: running containers keep running, but their next pull (deploy, scale, restart) fails until this is fixed.</p>
      </div>
    );
  }
  return (
    <div aria-live="polite" data-testid="probe-before-save">
      {body}
    </div>
  );
}

function ImportPanel({ onImport }: { onImport: (doc: { name: string; type: RegistryType; credentials: Record<string, string> }) => void }) {
  const [open, setOpen] = useState(false);
  const [text, setText] = useState("");
  const [error, setError] = useState<string>();
  if (!open) {
    return (
      <Button type="button" variant="ghost" size="sm" onClick={() => setOpen(true)}>
        <FileUp className="h-4 w-4" aria-hidden /> Import from YAML or JSON
      </Button>
    );
  }
  return (
    <Card className="space-y-3 p-5">
      <Field
        id="registry-import"
        label="Paste a registry document"
        help="The shape: name, type and credentials: { … }. It fills the form; nothing is saved until you save."
        error={error}
      >
        {(a11y) => (
          <Textarea
            {...a11y}
            rows={7}
            spellCheck={false}
            placeholder={"name: Production pulls\ntype: GHCR\ncredentials:\n  username: octocat\n  token: ghp_…"}
            value={text}
            onChange={(e) => setText(e.target.value)}
          />
        )}
      </Field>
      <div className="flex justify-end gap-2">
        <Button type="button" variant="ghost" size="sm" onClick={() => setOpen(false)}>
          Cancel
        </Button>
        <Button
          type="button"
          size="sm"
          onClick={async () => {
            // The YAML parser loads only when someone imports.
            const { parseRegistryDocument } = await import("@/lib/registries/import-export");
            const r = parseRegistryDocument(text);
            if (!r.ok) return setError(r.error);
            setError(undefined);
            setText("");
            setOpen(false);
            onImport(r.value);
          }}
        >
          Fill the form
        </Button>
      </div>
    </Card>
  );
}
