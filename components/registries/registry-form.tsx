"use client";
import { lazy, Suspense, useMemo, useState, useTransition } from "react";
import { useRouter } from "next/navigation";
import { Controller, useForm, useWatch, type Path, type Resolver } from "react-hook-form";
import { toast } from "@/components/ui/toast";
import { FileUp } from "lucide-react";
import type { FieldView, RegistryType, RegistryTypeView } from "@/lib/registries/catalog";
import { registryClient } from "@/lib/registries/client";
import { Button } from "@/components/ui/button";
import { Input, Textarea } from "@/components/ui/input";
import { SecretInput } from "@/components/ui/secret-input";
import { Select } from "@/components/ui/select";
import { Field, FormError } from "@/components/ui/field";
import { Card } from "@/components/ui/card";
import { VerdictPanel, type VerdictView } from "@/components/ui/verdict";
import { applyFieldErrors } from "@/components/forms/apply-result";
import type { ProbeView } from "./probe-warning";
import type { RegistryDocument } from "./registry-import";
import type { RegistryFormValues as Values } from "./registry-form-schema";

/**
 * The catalog's schemas, and zod with them, load when the form is first focused (or checked):
 * drawing it needs only the catalog's views, which the page hands over.
 */
const loadSchemas = () => import("./registry-form-schema");

function lazyResolver(editType: RegistryType | undefined): Resolver<Values> {
  let resolver: Promise<Resolver<Values>> | undefined;
  const load = () =>
    loadSchemas().then(
      (m) => m.resolverFor(editType),
      (err) => {
        resolver = undefined; // the next check tries the download again
        throw err;
      },
    );
  return async (values, context, options) => (await (resolver ??= load()))(values, context, options);
}

// Loaded when someone opens it.
const RegistryImport = lazy(() => import("./registry-import"));
// Only an edit of a registry whose images are in use probes before saving.
const ProbeWarning = lazy(() => import("./probe-warning"));

const emptyCredentials = (def: RegistryTypeView) => Object.fromEntries(def.fields.map((f) => [f.name, ""]));

export type EditTarget = {
  registryId: string;
  name: string;
  type: RegistryType;
  visibleFields: Record<string, string>;
  secretFields: string[];
  /** The last Test Connection, when it failed: when (ISO) and what it said. */
  lastFailure: { at: string; message: string } | null;
  /** Distinct images its containers run: new credentials are probed against them before saving. */
  imagesInUse: number;
};

/**
 * A Test Connection, for the values it ran on: once they are edited it no longer applies. In the
 * Add form the server kept it as the registry's last test for exactly these values (`testToken`).
 */
type Tested = { values: string; verdict: VerdictView; testToken?: string };

export function RegistryForm({ teamSlug, types, edit }: { teamSlug: string; types: RegistryTypeView[]; edit?: EditTarget }) {
  const router = useRouter();
  const [saving, startSaving] = useTransition();
  const [testing, startTesting] = useTransition();
  const [formError, setFormError] = useState<string>();
  const [tested, setTested] = useState<Tested | "pending">();
  const [tryImage, setTryImage] = useState("");
  const [probe, setProbe] = useState<ProbeView>();
  const resolver = useMemo(() => lazyResolver(edit?.type), [edit?.type]);
  const registry = useMemo(() => registryClient(teamSlug), [teamSlug]);
  const typeView = (t: RegistryType) => types.find((v) => v.type === t)!;

  const form = useForm<Values>({
    resolver,
    defaultValues: edit
      ? { type: edit.type, name: edit.name, credentials: { ...emptyCredentials(typeView(edit.type)), ...edit.visibleFields } }
      : { type: types[0]!.type, name: "", credentials: emptyCredentials(types[0]!) },
  });
  const type = useWatch({ control: form.control, name: "type" });
  const def = typeView(type);
  const fieldPaths = ["name", ...def.fields.map((f) => `credentials.${f.name}`)];

  function clearTest() {
    setTested(undefined);
    setFormError(undefined);
  }

  function changeType(next: string) {
    const nextType = next as RegistryType;
    clearTest();
    // The name stays; the credentials are those of the new type.
    form.reset({ type: nextType, name: form.getValues("name"), credentials: emptyCredentials(typeView(nextType)) });
  }

  function importDocument(doc: RegistryDocument) {
    clearTest();
    form.reset({ type: doc.type, name: doc.name, credentials: { ...emptyCredentials(typeView(doc.type)), ...doc.credentials } });
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
        // The values as typed (not as parsed), to compare with what the form shows later.
        const typed = JSON.stringify(form.getValues("credentials"));
        const { probeBeforeSaving } = await import("./probe-warning");
        const probed = await probeBeforeSaving({
          target: edit,
          credentials: values.credentials,
          typed,
          warned: warnedAbout(probe, typed),
          setProbe,
          probeCredentials: registry.probe,
          showServerErrors,
        });
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

  // A warning is about the values it was given: once they are edited, it no longer applies.
  const credentialsNow = useWatch({ control: form.control, name: "credentials" });
  const typedNow = JSON.stringify(credentialsNow);
  const probeWarning = warnedAbout(probe, typedNow);
  const probeShown = probe?.pending || probe?.credentials === typedNow ? probe : undefined;
  const verdict = tested === "pending" ? "pending" : tested?.values === typedValues({ type, credentials: credentialsNow }) ? tested.verdict : undefined;

  function testConnection() {
    clearTest();
    startTesting(async () => {
      // What turns an answer into words loads with the first test.
      const verdicts = import("@/lib/registries/test-verdict");
      // The fields are checked in the browser at once (focus goes to the first that is not
      // valid); the server checks the same schema again, then asks the registry itself.
      const values = form.getValues();
      const valid = await form.trigger(undefined, { shouldFocus: true });
      const { verdictOf } = await verdicts;
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
    <form onSubmit={onSubmit} onFocus={() => void loadSchemas()} noValidate className="space-y-6">
      {!edit && <ImportPanel onImport={importDocument} />}
      <Card className="space-y-5 p-6">
        <FormError message={formError} />
        <Field id="registry-type" label="Registry type" help={edit ? "The type of a saved registry cannot change." : def.description}>
          {(a11y) => <Select {...a11y} value={type} onValueChange={changeType} options={types.map((t) => ({ value: t.type, label: t.label }))} disabled={Boolean(edit)} />}
        </Field>
        <Field id="registry-name" label="Name" help="Shown in the registry list and the container form. Unique in the team." error={errors.name?.message}>
          {(a11y) => <Input placeholder="Production pulls" {...a11y} {...form.register("name")} />}
        </Field>
        {def.fields.map((field) => (
          <CredentialInput
            key={`${type}-${field.name}`}
            field={field}
            error={credentialError(field.name)}
            storedSecret={Boolean(edit?.secretFields.includes(field.name))}
            form={form}
          />
        ))}
        {def.anonymous && (
          <p className="rounded-md bg-slate-50 px-3 py-2 text-sm text-slate-600">
            No credentials are stored for a public registry, and containers using it get no pull secret.
          </p>
        )}
        {edit?.lastFailure && (
          <p className="rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-800">
            The last check, at {edit.lastFailure.at.slice(0, 16).replace("T", " ")} UTC, failed: {edit.lastFailure.message}
          </p>
        )}
        {!def.anonymous && (
          <Field id="try-image" label="Image to try (optional)" help="A repository path such as team/app: Test connection then also checks that these credentials may pull it.">
            {(a11y) => <Input {...a11y} value={tryImage} onChange={(e) => setTryImage(e.target.value)} placeholder="team/app" spellCheck={false} className="font-mono" />}
          </Field>
        )}
        <VerdictPanel verdict={verdict} pendingText="Checking with the registry…" testId="test-result" />
        {edit && edit.imagesInUse > 0 && (
          <Suspense>
            <ProbeWarning probe={probeShown} />
          </Suspense>
        )}
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
  field: FieldView;
  error?: string;
  storedSecret: boolean;
  form: ReturnType<typeof useForm<Values>>;
}) {
  const { field, error, storedSecret, form } = props;
  const name = field.name;
  const path = `credentials.${name}` as const;
  const placeholder = storedSecret && field.secret ? "unchanged — leave empty to keep the saved value" : field.placeholder;
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

function ImportPanel({ onImport }: { onImport: (doc: RegistryDocument) => void }) {
  const [open, setOpen] = useState(false);
  if (!open) {
    return (
      <Button type="button" variant="ghost" size="sm" onClick={() => setOpen(true)}>
        <FileUp className="h-4 w-4" aria-hidden /> Import from YAML or JSON
      </Button>
    );
  }
  return (
    <Suspense>
      <RegistryImport onClose={() => setOpen(false)} onImport={onImport} />
    </Suspense>
  );
}
