import type { Resolver } from "react-hook-form";
import { zodResolver } from "@hookform/resolvers/zod";
import { registryInputSchema, updateSchemaFor, type RegistryType } from "@/lib/registries/catalog";

/** The type is a form value: an import that changes it is validated against the new type at once. */
export type RegistryFormValues = { type: RegistryType; name: string; credentials: Record<string, string> };

/** The form resolves against the same catalog schemas the server parses. */
export function resolverFor(editType: RegistryType | undefined): Resolver<RegistryFormValues> {
  if (!editType) return zodResolver(registryInputSchema) as unknown as Resolver<RegistryFormValues>;
  // An edit parses `{ name, credentials }`: the type of a saved registry is not part of it.
  const update = zodResolver(updateSchemaFor(editType)) as unknown as Resolver<Omit<RegistryFormValues, "type">>;
  return ((values, context, options) => update({ name: values.name, credentials: values.credentials }, context, options as never)) as Resolver<RegistryFormValues>;
}
