// Shared by db/client.ts and db/pglite-template.mjs (a plain script run by node).

/** Whether the process `pid` of this machine still runs (one of another user's counts). */
export function processRuns(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === "EPERM";
  }
}
