import { randomInt } from "node:crypto";

const ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

/** `prefix-` followed by `length` random lower-case letters/digits, e.g. `reg-k3j9x0a1b2c4`. */
export function newId(prefix: string, length = 12): string {
  let out = "";
  for (let i = 0; i < length; i++) out += ALPHABET[randomInt(ALPHABET.length)];
  return `${prefix}-${out}`;
}
