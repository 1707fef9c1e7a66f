import "server-only";
import { and, eq, lt, sql } from "drizzle-orm";
import { db } from "@/db";
import { jobRuns } from "@/db/schema";
import { instanceId } from "@/lib/instance";
import { errorForLog, logger } from "@/lib/logger";
import { metrics } from "@/lib/metrics";

/**
 * Periodic background jobs, run once per interval across all dashboard instances. Every instance
 * ticks in the middle of each interval (by its own clock); the first to insert the interval's row
 * into `job_runs` (the slot, counted on the database's clock) runs it, the others skip. The job
 * itself still takes its advisory lock, so a run that outlasts its interval is never overlapped.
 * Ticking mid-interval keeps instances whose clocks differ by less than half an interval from
 * claiming neighbouring slots for one tick.
 */

export type JobName = "credential-refresh" | "pull-health-watch";
/** What a run reports; `ran: false` when a run of an earlier slot still held the job's lock. */
export type JobReport = { ran: boolean } & Record<string, unknown>;
export type PeriodicJob = { name: JobName; intervalMs: number; run: () => Promise<JobReport> };

/** How long run rows are kept (for the operator's "when did it last run"). */
const KEEP_MS = 7 * 24 * 3600_000;

type Scheduled = { timer?: NodeJS.Timeout; running?: Promise<void>; stopped: boolean };
const globalForJobs = globalThis as unknown as { __periodicJobs?: Map<JobName, Scheduled> };
const scheduled = () => (globalForJobs.__periodicJobs ??= new Map());

/** Milliseconds from `now` to the next middle of an interval. */
export function delayToNextTick(intervalMs: number, now = Date.now()): number {
  const phase = now % intervalMs;
  const middle = intervalMs / 2;
  return phase < middle ? middle - phase : intervalMs - phase + middle;
}

/** This interval's slot for this instance, or undefined when another instance claimed it first. */
async function claimSlot(job: PeriodicJob): Promise<number | undefined> {
  const slotNow = sql`floor(extract(epoch from clock_timestamp()) * 1000 / ${job.intervalMs})::bigint`;
  const [row] = await db().insert(jobRuns).values({ job: job.name, slot: slotNow, runner: instanceId() }).onConflictDoNothing().returning({ slot: jobRuns.slot });
  if (row) await db().delete(jobRuns).where(and(eq(jobRuns.job, job.name), lt(jobRuns.slot, row.slot - Math.ceil(KEEP_MS / job.intervalMs))));
  return row?.slot;
}

/** One tick: claim the slot, run, record. Never throws (a failed run is recorded and logged). */
export async function tickJob(job: PeriodicJob): Promise<void> {
  const m = metrics();
  const started = performance.now();
  let slot: number | undefined;
  try {
    slot = await claimSlot(job);
  } catch (err) {
    logger.error({ job: job.name, ...errorForLog(err) }, "job tick could not claim its interval");
    return;
  }
  if (slot === undefined) {
    m.jobTicksSkipped.inc({ job: job.name });
    logger.debug({ job: job.name }, "job already run for this interval by another instance");
    return;
  }
  let outcome: "succeeded" | "failed" | "overlapped";
  let summary: Record<string, unknown>;
  try {
    const report = await job.run();
    outcome = report.ran ? "succeeded" : "overlapped";
    summary = report;
  } catch (err) {
    outcome = "failed";
    summary = { errorName: err instanceof Error ? err.name : typeof err };
    logger.error({ job: job.name, slot, ...errorForLog(err) }, "job run failed");
  }
  const durationMs = Math.round(performance.now() - started);
  m.jobRuns.inc({ job: job.name, outcome });
  m.jobDuration.observe({ job: job.name }, durationMs / 1000);
  logger.info({ job: job.name, slot, runner: instanceId(), outcome, durationMs, ...summary }, "job run");
  await db()
    .update(jobRuns)
    .set({ finishedAt: new Date(), outcome, summary })
    .where(and(eq(jobRuns.job, job.name), eq(jobRuns.slot, slot)))
    .catch((err: unknown) => logger.warn({ job: job.name, ...errorForLog(err) }, "recording a job run failed"));
}

/** Starts ticking `job` in this process (once; a second start is ignored). */
export function startPeriodicJob(job: PeriodicJob) {
  if (scheduled().has(job.name)) return;
  const state: Scheduled = { stopped: false };
  scheduled().set(job.name, state);
  const next = () => {
    state.timer = setTimeout(() => {
      state.running = tickJob(job).finally(() => {
        state.running = undefined;
        if (!state.stopped) next();
      });
    }, delayToNextTick(job.intervalMs));
    state.timer.unref();
  };
  next();
}

/** For shutdown: no further ticks, and resolves once the runs in flight have finished (and released their locks). */
export async function stopPeriodicJobs(): Promise<void> {
  const all = [...scheduled().values()];
  for (const s of all) {
    s.stopped = true;
    clearTimeout(s.timer);
  }
  await Promise.all(all.map((s) => s.running));
}
