export type FieldErrors = Record<string, string[]>;

export type SafeErrorCode = "unauthenticated" | "not_found" | "forbidden" | "invalid" | "conflict" | "rate_limited";

/**
 * An error whose message is written for the user and may be shown as is.
 * Anything else thrown on the server is logged and replaced by a generic message.
 */
export class SafeError extends Error {
  readonly code: SafeErrorCode;
  readonly fieldErrors?: FieldErrors;

  constructor(code: SafeErrorCode, message: string, fieldErrors?: FieldErrors) {
    super(message);
    this.name = "SafeError";
    this.code = code;
    this.fieldErrors = fieldErrors;
  }
}

export const notFound = (what: string) => new SafeError("not_found", `${what} not found`);
export const forbidden = (message: string) => new SafeError("forbidden", message);
export const fieldError = (field: string, message: string) =>
  new SafeError("invalid", message, { [field]: [message] });
