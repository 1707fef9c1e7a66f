import pino from "pino";

/** Keys whose values never reach a log line, wherever they sit in the logged object. */
const SECRET_KEYS = [
  "password",
  "passwordHash",
  "token",
  "secret",
  "secretAccessKey",
  "serviceAccountKey",
  "authorization",
  "cookie",
  "credentials",
  "kubeconfig",
  "privateKey",
  "authSecret",
  "credentialsKey",
];

const level = process.env.LOG_LEVEL || (process.env.NODE_ENV === "test" ? "silent" : "info");

export function createLogger(destination?: pino.DestinationStream) {
  const options: pino.LoggerOptions = {
    level,
    base: { service: "registry-dashboard" },
    redact: {
      paths: [...SECRET_KEYS, ...SECRET_KEYS.map((k) => `*.${k}`), ...SECRET_KEYS.map((k) => `*.*.${k}`)],
      censor: "[redacted]",
    },
  };
  return destination ? pino(options, destination) : pino(options);
}

export const logger = createLogger();

/**
 * What of an unexpected error may be logged: its class, a message with any SQL parameters cut
 * off (drizzle quotes them, and they can hold user input), the stack frames and the cause's
 * class and SQLSTATE.
 */
export function errorForLog(err: unknown): Record<string, unknown> {
  if (!(err instanceof Error)) return { errorType: typeof err };
  const clean = (m: string) => m.replace(/\bparams:[\s\S]*$/, "params: [redacted]").slice(0, 500);
  const cause = err.cause as { name?: string; code?: string; message?: string } | undefined;
  return {
    errorName: err.name,
    reason: clean(err.message),
    frames: err.stack?.split("\n").filter((l) => l.trimStart().startsWith("at ")).slice(0, 12).join("\n"),
    ...(cause ? { cause: { name: cause.name, code: cause.code, reason: cause.message ? clean(cause.message) : undefined } } : {}),
  };
}
