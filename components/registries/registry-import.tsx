"use client";
import { useState } from "react";
import type { RegistryType } from "@/lib/registries/catalog";
import { Button } from "@/components/ui/button";
import { Textarea } from "@/components/ui/input";
import { Field } from "@/components/ui/field";
import { Card } from "@/components/ui/card";

export type RegistryDocument = { name: string; type: RegistryType; credentials: Record<string, string> };

/** The Add form's import: a pasted YAML or JSON document fills the form. */
export default function RegistryImport({ onImport, onClose }: { onImport: (doc: RegistryDocument) => void; onClose: () => void }) {
  const [text, setText] = useState("");
  const [error, setError] = useState<string>();
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
        <Button type="button" variant="ghost" size="sm" onClick={onClose}>
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
            onClose();
            onImport(r.value);
          }}
        >
          Fill the form
        </Button>
      </div>
    </Card>
  );
}
