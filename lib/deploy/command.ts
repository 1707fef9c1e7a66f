import { spawn } from "node:child_process";

export type RunResult = { code: number; stdout: string; stderr: string };

export type RunOptions = {
  /** Written to the child's stdin, then closed: the only way a secret reaches a child process. */
  stdin?: string;
  /** The child's whole environment: nothing is inherited, so the server's own secrets stay out. */
  env: Record<string, string>;
  cwd?: string;
  timeoutMs?: number;
};

/** Runs one command. Injectable so the exact calls can be tested where no engine exists. */
export type CommandRunner = (command: string, args: string[], opts: RunOptions) => Promise<RunResult>;

const OUTPUT_CAP = 256 * 1024;

export const spawnRunner: CommandRunner = (command, args, opts) =>
  new Promise((resolve) => {
    const child = spawn(command, args, { env: opts.env as NodeJS.ProcessEnv, cwd: opts.cwd, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout = (stdout + d.toString("utf8")).slice(-OUTPUT_CAP)));
    child.stderr.on("data", (d: Buffer) => (stderr = (stderr + d.toString("utf8")).slice(-OUTPUT_CAP)));
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 120_000);
    child.on("error", (err) => {
      clearTimeout(timer);
      resolve({ code: 127, stdout, stderr: `${stderr}${err.message}` });
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? 128, stdout, stderr: signal === "SIGKILL" ? `${stderr}\n(killed after ${opts.timeoutMs ?? 120_000} ms)` : stderr });
    });
    child.stdin.on("error", () => {}); // the child may exit before reading stdin; its exit code tells
    child.stdin.end(opts.stdin ?? "");
  });
