"use server";
import { runAction } from "@/lib/actions/run";
import { tokenActions } from "@/lib/api-tokens/actions";

const ACCOUNT_PAGE = "/account";

export async function createTokenAction(input: unknown) {
  return runAction(tokenActions.create, input, ACCOUNT_PAGE);
}

export async function revokeTokenAction(input: unknown) {
  return runAction(tokenActions.revoke, input, ACCOUNT_PAGE);
}
