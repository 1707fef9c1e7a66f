"use server";
import { revalidatePath } from "next/cache";
import { currentSession } from "@/lib/auth/session";
import { environmentActions } from "@/lib/environments/actions";
import { containerActions } from "@/lib/containers/actions";

type ActionFn = (session: Awaited<ReturnType<typeof currentSession>>, input: unknown) => Promise<{ ok: boolean }>;

async function run<A extends ActionFn>(action: A, input: unknown, revalidate: boolean): Promise<Awaited<ReturnType<A>>> {
  const result = (await action(await currentSession(), input)) as Awaited<ReturnType<A>>;
  // A refused action changed nothing; re-rendering the page for it would be work anyone could ask for at will.
  if (revalidate && result.ok) revalidatePath("/t/[team]/environments", "layout");
  return result;
}

export async function createEnvironmentAction(input: unknown) {
  return run(environmentActions.create, input, true);
}

export async function deleteEnvironmentAction(input: unknown) {
  return run(environmentActions.delete, input, true);
}

export async function testEnvironmentAction(input: unknown) {
  return run(environmentActions.test, input, false);
}

export async function createContainerAction(input: unknown) {
  return run(containerActions.create, input, true);
}

export async function updateContainerAction(input: unknown) {
  return run(containerActions.update, input, true);
}

export async function deleteContainerAction(input: unknown) {
  return run(containerActions.delete, input, true);
}

export async function previewContainerAction(input: unknown) {
  return run(containerActions.preview, input, false);
}

export async function deployContainerAction(input: unknown) {
  return run(containerActions.deploy, input, true);
}

export async function scaleContainerAction(input: unknown) {
  return run(containerActions.scale, input, true);
}

export async function restartContainerAction(input: unknown) {
  return run(containerActions.restart, input, true);
}
