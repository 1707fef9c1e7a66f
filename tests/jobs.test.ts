import { describe, expect, it } from "vitest";
import { and, eq } from "drizzle-orm";
import { db, dbHandle } from "@/db";
import { jobRuns } from "@/db/schema";
import { delayToNextTick, startPeriodicJob, stopPeriodicJobs, tickJob, type JobName, type PeriodicJob } from "@/lib/jobs";
import { metrics } from "@/lib/metrics";

/** Periodic jobs run once per interval, whichever instance ticks first. */

async function skippedTicks(job: JobName) {
  return (await metrics().jobTicksSkipped.get()).values.find((v) => v.labels.job === job)?.value ?? 0;
}

describe("periodic jobs", () => {
  it("tick in the middle of each interval", () => {
    expect(delayToNextTick(60_000, 0)).toBe(30_000);
    expect(delayToNextTick(60_000, 29_000)).toBe(1_000);
    expect(delayToNextTick(60_000, 30_000)).toBe(60_000);
    expect(delayToNextTick(60_000, 45_000)).toBe(45_000);
  });

  it("three ticks of one interval (three instances) run the job once and record the run", async () => {
    let runs = 0;
    // An interval no other test uses, long enough that the three ticks fall into one slot.
    const job: PeriodicJob = { name: "credential-refresh", intervalMs: 3_600_000 + 7, run: async () => ({ ran: true, refreshed: ++runs }) };
    const skippedBefore = await skippedTicks(job.name);
    await Promise.all([tickJob(job), tickJob(job), tickJob(job)]);
    expect(runs).toBe(1);
    expect((await skippedTicks(job.name)) - skippedBefore).toBe(2);
    const slot = Math.floor(Date.now() / job.intervalMs);
    const [row] = await db().select().from(jobRuns).where(and(eq(jobRuns.job, job.name), eq(jobRuns.slot, slot)));
    expect(row).toMatchObject({ outcome: "succeeded", summary: { ran: true, refreshed: 1 } });
    expect(row?.finishedAt).toBeInstanceOf(Date);
  });

  it("a run that throws is recorded as failed, and the next interval runs again", async () => {
    const job: PeriodicJob = { name: "pull-health-watch", intervalMs: 3_600_000 + 11, run: async () => Promise.reject(new Error("boom")) };
    await tickJob(job);
    const slot = Math.floor(Date.now() / job.intervalMs);
    const [row] = await db().select().from(jobRuns).where(and(eq(jobRuns.job, job.name), eq(jobRuns.slot, slot)));
    expect(row).toMatchObject({ outcome: "failed", summary: { errorName: "Error" } });
  });

  it("stopping (SIGTERM) waits for the run in flight, which releases the job's lock, and ticks no more", async () => {
    const LOCK = 0x7465_7374; // this test's own
    let runs = 0;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const running = new Promise<void>((started) => {
      startPeriodicJob({
        name: "pull-health-watch",
        intervalMs: 200,
        run: async () => {
          runs++;
          const held = await dbHandle().exclusively(LOCK, async () => {
            started();
            await gate;
            return true;
          });
          return { ran: held === true };
        },
      });
    });
    await running;
    expect(await dbHandle().exclusively(LOCK, async () => "taken")).toBeUndefined();
    const stopped = stopPeriodicJobs();
    let done = false;
    void stopped.then(() => (done = true));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(done).toBe(false);
    release();
    await stopped;
    expect(await dbHandle().exclusively(LOCK, async () => "taken")).toBe("taken");
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(runs).toBe(1);
  });
});

