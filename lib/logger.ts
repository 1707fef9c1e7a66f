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

export const logger = pino({
  level,
  base: { service: "registry-dashboard" },
  redact: {
    paths: [...SECRET_KEYS, ...SECRET_KEYS.map((k) => `*.${k}`), ...SECRET_KEYS.map((k) => `*.*.${k}`)],
    censor: "[redacted]",
  },
});
