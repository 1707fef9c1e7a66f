"use server";
import { runAction } from "@/lib/actions/run";
import { environmentActions } from "@/lib/environments/actions";
import { containerActions } from "@/lib/containers/actions";

const ENVIRONMENT_PAGES = "/t/[team]/environments";

export async function createEnvironmentAction(input: unknown) {
  return runAction(environmentActions.create, input, ENVIRONMENT_PAGES);
}

export async function updateEnvironmentAction(input: unknown) {
  return runAction(environmentActions.update, input, ENVIRONMENT_PAGES);
}

export async function deleteEnvironmentAction(input: unknown) {
  return runAction(environmentActions.delete, input, ENVIRONMENT_PAGES);
}

export async function testEnvironmentAction(input: unknown) {
  return runAction(environmentActions.test, input);
}

export async function testConnectionAction(input: unknown) {
  return runAction(environmentActions.testConnection, input);
}

export async function createContainerAction(input: unknown) {
  return runAction(containerActions.create, input, ENVIRONMENT_PAGES);
}

export async function updateContainerAction(input: unknown) {
  return runAction(containerActions.update, input, ENVIRONMENT_PAGES);
}

export async function deleteContainerAction(input: unknown) {
  return runAction(containerActions.delete, input, ENVIRONMENT_PAGES);
}

export async function previewContainerAction(input: unknown) {
  return runAction(containerActions.preview, input);
}

export async function deployContainerAction(input: unknown) {
  return runAction(containerActions.deploy, input, ENVIRONMENT_PAGES);
}

export async function scaleContainerAction(input: unknown) {
  return runAction(containerActions.scale, input, ENVIRONMENT_PAGES);
}

export async function restartContainerAction(input: unknown) {
  return runAction(containerActions.restart, input, ENVIRONMENT_PAGES);
}
