"use client";
import { useMemo, useState, useTransition, type ReactNode } from "react";
import { useRouter } from "next/navigation";
import { Controller, useForm, useWatch, type Resolver } from "react-hook-form";
import { zodResolver } from "@hookform/resolvers/zod";
import { toast } from "sonner";
import { CheckCircle2, FileUp, Loader2, XCircle } from "lucide-react";
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
import type { TestOutcome } from "@/db/schema";
import type { ProbeLine } from "@/lib/registries/rollout";
import { Button } from "@/components/ui/button";
import { Input, Textarea } from "@/components/ui/input";
import { SecretInput } from "@/components/ui/secret-input";
import { Select } from "@/components/ui/select";
import { Field, FormError } from "@/components/ui/field";
import { Card } from "@/components/ui/card";
import { applyFieldErrors } from "@/components/forms/apply-result";
import { ProbeResults, probeSummary } from "./probe-results";

type Values = { name: string; credentials: Record<string, string> };

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

const TYPE_OPTIONS = REGISTRY_TYPES.map((t) => ({ value: t.type, label: t.label }));

/** The form resolves against the same catalog schemas the server parses. */
function resolverFor(mode: "create" | "edit", type: RegistryType): Resolver<Values> {
  if (mode === "edit") return zodResolver(updateSchemaFor(type)) as unknown as Resolver<Values>;
  const union = zodResolver(registryInputSchema) as unknown as Resolver<Values & { type: RegistryType }>;
  return (values, context, options) =>
    union({ ...values, type }, context, options as never) as unknown as ReturnType<Resolver<Values>>;
}

export function RegistryForm({ teamSlug, edit }: { teamSlug: string; edit?: EditTarget }) {
  const mode = edit ? "edit" : "create";
  const router = useRouter();
  const [type, setType] = useState<RegistryType>(edit?.type ?? "GHCR");
  const [saving, startSaving] = useTransition();
  const [testing, startTesting] = useTransition();
  const [formError, setFormError] = useState<string>();
  const [testResult, setTestResult] = useState<TestOutcome>();
  const [liveResult, setLiveResult] = useState<LiveView>();
  const [tryImage, setTryImage] = useState("");
  const [probe, setProbe] = useState<ProbeView>();
  const def = typeDef(type);
  const resolver = useMemo(() => resolverFor(mode, type), [mode, type]);
  const registry = useMemo(() => registryClient(teamSlug), [teamSlug]);

  const form = useForm<Values>({
    resolver,
    defaultValues: edit
      ? { name: edit.name, credentials: { ...emptyCredentials(edit.type), ...edit.visibleFields } }
      : { name: "", credentials: emptyCredentials("GHCR") },
  });
  const fieldPaths = ["name", ...fieldNames(type).map((n) => `credentials.${n}`)];

  function changeType(next: string) {
    const nextType = next as RegistryType;
    setType(nextType);
    setTestResult(undefined);
    setFormError(undefined);
    // The name stays; the credentials are those of the new type.
    form.reset({ name: form.getValues("name"), credentials: emptyCredentials(nextType) });
  }

  function showServerErrors(result: { error: string; fieldErrors?: Record<string, string[]> }) {
    const rest = applyFieldErrors(form.setError, fieldPaths, result.fieldErrors);
    setFormError(rest ?? (result.fieldErrors ? undefined : result.error));
  }

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
      const result = await registry.create({ type, name: values.name, credentials: values.credentials });
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
  const typedNow = JSON.stringify(useWatch({ control: form.control, name: "credentials" }));
  const probeWarning = warnedAbout(probe, typedNow);
  const probeShown = probe?.pending || probe?.credentials === typedNow ? probe : undefined;

  function testConnection() {
    setTestResult(undefined);
    setLiveResult(undefined);
    startTesting(async () => {
      // The structural verdict comes from the browser at once; the server checks the same schema
      // again, then asks the registry itself, which can take a few seconds.
      const valid = await form.trigger();
      if (!valid) {
        setTestResult({ ok: false, message: "Some fields are not valid: see the messages on the fields" });
        return;
      }
      setTestResult({ ok: true, message: `Valid: every ${def.label} field is present and well-formed` });
      if (type !== "Public") setLiveResult({ pending: true });
      const credentials = form.getValues("credentials");
      const image = tryImage.trim() || undefined;
      const result = await registry.test(edit ? { registryId: edit.registryId, credentials, image } : { type, credentials, image });
      if (!result.ok) {
        showServerErrors(result);
        setLiveResult(result.fieldErrors?.image ? { ok: false, message: result.fieldErrors.image[0]! } : { ok: false, message: result.error });
        return;
      }
      applyFieldErrors(form.setError, fieldPaths, result.data.fieldErrors);
      setTestResult({ ok: result.data.fieldErrors ? false : true, message: result.data.message });
      setLiveResult(result.data.live ? { ok: result.data.live.ok, message: result.data.live.message } : undefined);
    });
  }

  const errors = form.formState.errors;
  const credentialError = (name: string) => errors.credentials?.[name]?.message;

  return (
    <form onSubmit={onSubmit} noValidate className="space-y-6">
      {!edit && <ImportPanel onImport={(doc) => {
        setType(doc.type);
        setTestResult(undefined);
        form.reset({ name: doc.name, credentials: { ...emptyCredentials(doc.type), ...doc.credentials } });
        void form.trigger();
      }} />}
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
        {type === "Public" && (
          <p className="rounded-md bg-slate-50 px-3 py-2 text-sm text-slate-600">
            No credentials are stored for a public registry, and containers using it get no pull secret.
          </p>
        )}
        {edit?.lastTest && !edit.lastTest.ok && (
          <p className="rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-800">
            The last check, at {edit.lastTestAt?.slice(0, 16).replace("T", " ")} UTC, failed: {edit.lastTest.live?.message ?? edit.lastTest.message}
          </p>
        )}
        {type !== "Public" && (
          <Field id="try-image" label="Image to try (optional)" help="A repository path such as team/app: Test connection then also checks that these credentials may pull it.">
            {(a11y) => <Input {...a11y} value={tryImage} onChange={(e) => setTryImage(e.target.value)} placeholder="team/app" spellCheck={false} className="font-mono" />}
          </Field>
        )}
        <TestResult result={testResult} />
        <LiveResult result={liveResult} />
        {liveResult && !liveResult.pending && !liveResult.ok && (
          <p className="text-xs text-slate-500" data-testid="save-anyway">
            The live check failed; you can still save (a registry this server cannot reach, e.g. an air-gapped one, cannot be checked from here).
          </p>
        )}
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

function TestResult({ result }: { result?: TestOutcome }) {
  return (
    <div aria-live="polite" data-testid="test-result">
      {result && (
        <div
          className={`flex items-start gap-2 rounded-md px-3 py-2 text-sm ${result.ok ? "bg-emerald-50 text-emerald-800" : "bg-red-50 text-red-700"}`}
          role="status"
        >
          {result.ok ? <CheckCircle2 className="mt-0.5 h-4 w-4 shrink-0" /> : <XCircle className="mt-0.5 h-4 w-4 shrink-0" />}
          <span>{result.message}</span>
        </div>
      )}
    </div>
  );
}

type LiveView = { pending: true; ok?: undefined; message?: undefined } | { pending?: false; ok: boolean; message: string };

function LiveResult({ result }: { result?: LiveView }) {
  return (
    <div aria-live="polite" data-testid="live-result">
      {result?.pending ? (
        <div className="flex items-center gap-2 rounded-md bg-slate-50 px-3 py-2 text-sm text-slate-600" role="status">
          <Loader2 className="h-4 w-4 animate-spin" aria-hidden /> Checking with the registry…
        </div>
      ) : (
        result && (
          <div className={`flex items-start gap-2 rounded-md px-3 py-2 text-sm ${result.ok ? "bg-emerald-50 text-emerald-800" : "bg-amber-50 text-amber-900"}`} role="status">
            {result.ok ? <CheckCircle2 className="mt-0.5 h-4 w-4 shrink-0" /> : <XCircle className="mt-0.5 h-4 w-4 shrink-0" />}
            <span>
              <span className="font-medium">Registry says: </span>
              {result.message}
            </span>
          </div>
        )
      )}
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
