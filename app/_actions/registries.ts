"use server";
import { runAction } from "@/lib/actions/run";
import { registryActions } from "@/lib/registries/actions";

const REGISTRY_PAGES = "/t/[team]/settings/registries";

export async function createRegistryAction(input: unknown) {
  return runAction(registryActions.create, input, REGISTRY_PAGES);
}

export async function updateRegistryAction(input: unknown) {
  return runAction(registryActions.update, input, REGISTRY_PAGES);
}

export async function deleteRegistryAction(input: unknown) {
  return runAction(registryActions.delete, input, REGISTRY_PAGES);
}

export async function testRegistryAction(input: unknown) {
  return runAction(registryActions.test, input, REGISTRY_PAGES);
}

export async function applyRegistryAction(input: unknown) {
  return runAction(registryActions.apply, input, REGISTRY_PAGES);
}

export async function probeRegistryAction(input: unknown) {
  return runAction(registryActions.probe, input, REGISTRY_PAGES);
}

export async function listRegistriesAction(input: unknown) {
  return runAction(registryActions.list, input);
}
