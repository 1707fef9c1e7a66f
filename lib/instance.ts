import "server-only";
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";

const globalForInstance = globalThis as unknown as { __instanceId?: string };

/**
 * This server process among the dashboard's instances (a pod name is the host name there), as
 * deploy runs and job runs record who ran them. The random part tells a restarted process apart.
 */
export function instanceId(): string {
  globalForInstance.__instanceId ??= `${hostname()}:${process.pid}:${randomBytes(4).toString("hex")}`;
  return globalForInstance.__instanceId;
}
