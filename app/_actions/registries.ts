"use server";
import { revalidatePath } from "next/cache";
import { currentSession } from "@/lib/auth/session";
import { registryActions } from "@/lib/registries/actions";

async function run<T extends { ok: boolean }>(action: (session: Awaited<ReturnType<typeof currentSession>>, input: unknown) => Promise<T>, input: unknown, revalidate: boolean) {
  const result = await action(await currentSession(), input);
  // A refused action changed nothing; re-rendering the page for it would be work anyone could ask for at will.
  if (revalidate && result.ok) revalidatePath("/t/[team]/settings/registries", "layout");
  return result;
}

export async function createRegistryAction(input: unknown) {
  return run(registryActions.create, input, true);
}

export async function updateRegistryAction(input: unknown) {
  return run(registryActions.update, input, true);
}

export async function deleteRegistryAction(input: unknown) {
  return run(registryActions.delete, input, true);
}

export async function testRegistryAction(input: unknown) {
  return run(registryActions.test, input, true);
}

export async function applyRegistryAction(input: unknown) {
  return run(registryActions.apply, input, true);
}

export async function probeRegistryAction(input: unknown) {
  return run(registryActions.probe, input, true);
}

export async function listRegistriesAction(input: unknown) {
  return run(registryActions.list, input, false);
}
