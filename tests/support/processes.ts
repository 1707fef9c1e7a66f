import { spawn, type ChildProcess } from "node:child_process";

/** Child processes of the test harnesses: one-shot commands and long-running servers. */

export const COMMAND_TIMEOUT_MS = 30_000;

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function run(cmd: string, args: string[]): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"], timeout: COMMAND_TIMEOUT_MS });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

export async function runChecked(cmd: string, args: string[]): Promise<RunResult> {
  const r = await run(cmd, args);
  if (r.code !== 0) throw new Error(`${cmd} ${args[0] ?? ""} failed (exit ${r.code}):\n${r.stderr}`);
  return r;
}

/**
 * Resolves, with how, once the process has ended or failed to start. Call it right after spawn:
 * the listener also keeps a spawn error (a missing binary) from crashing the test process.
 */
export function whenEnded(child: ChildProcess): Promise<string> {
  return new Promise((resolve) => {
    child.once("exit", (code, signal) => resolve(`exited (${code ?? signal})`));
    child.on("error", (error) => resolve(`failed: ${error.message}`));
  });
}

/** SIGTERM, then SIGKILL if it has not ended within 5 s. */
export async function stopProcess(child: ChildProcess, ended: Promise<string>): Promise<void> {
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
  await ended;
  clearTimeout(timer);
}
