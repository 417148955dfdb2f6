import { randomUUID } from 'node:crypto';
import type { JobRow, Tx } from '../../../shared/db/index.js';
import { endRun, insertRun, insertRuns, submitInBackground, type JobSpec, type NewRun } from '../../../shared/domains/jobs/index.js';
import type { Platform } from '../../../shared/platform/index.js';
import { dueSlots, slotsToStart } from '../domain/slots.js';
import { scheduleStore, type SlotRow } from '../store/schedule-store.js';

export interface TickResult {
  started: number;
  skipped: number;
  missed: number;
}

interface DueJob {
  id: string;
  schedule: NonNullable<JobSpec['schedule']>;
  start: Date[];
  missed: Date[];
}

/** Jobs dealt with in one transaction: enough that 100 due slots are one commit, few enough to hold their locks briefly. */
const JOBS_PER_TRANSACTION = 200;

/**
 * One scheduler tick: every scheduled, unpaused job gets the runs its due slots call for, each slot exactly once.
 * The jobs with due slots are claimed for the tick with SKIP LOCKED (another replica, or a redelivered ping, passes
 * them by), and every slot dealt with is a row keyed (job, slot): started, skipped (Forbid while a run is in
 * progress) or missed (the catch-up policy after downtime). Replace cancels the runs in progress first. The due jobs
 * are handled set-wise, a few statements per transaction of up to 200 jobs; runs are submitted after commit.
 */
export async function tick(platform: Platform, now = new Date()): Promise<TickResult> {
  const db = platform.store.db;
  const graceMs = platform.config.LAKEPLANE_SCHEDULER_GRACE_MS;
  const scheduled = await scheduleStore(db).schedules();
  const due: DueJob[] = [];
  for (const row of scheduled) {
    const schedule = row.schedule!;
    const after = row.last_slot ? new Date(row.last_slot) : row.updated_at;
    const slots = dueSlots(schedule.cron, schedule.timeZone, after, now, 100);
    if (slots.length > 0) due.push({ id: row.id, schedule, ...slotsToStart(slots, schedule.catchUp, now, graceMs) });
  }
  const result: TickResult = { started: 0, skipped: 0, missed: 0 };
  const toSubmit: string[] = [];
  const toCancel: string[] = [];
  for (let i = 0; i < due.length; i += JOBS_PER_TRANSACTION) {
    await db.transaction().execute((tx) => startSlots(tx, platform, due.slice(i, i + JOBS_PER_TRANSACTION), result, toSubmit, toCancel));
  }
  for (const name of toCancel)
    await platform.runtime.cancel(name).catch((err: unknown) => platform.logger.error({ err, name }, 'stopping a replaced run failed'));
  for (const runId of toSubmit) submitInBackground(platform, runId, 1);
  return result;
}

/** The due slots of some jobs, in one transaction: the jobs locked (or passed by), their slots recorded with the runs they start. */
async function startSlots(tx: Tx, platform: Platform, due: readonly DueJob[], result: TickResult, toSubmit: string[], toCancel: string[]): Promise<void> {
  const store = scheduleStore(tx);
  const jobs = await store.claim(due.map((d) => d.id));
  if (jobs.length === 0) return; // another replica has them this tick
  const plans = new Map(due.map((d) => [d.id, d]));
  const pairs = jobs.flatMap((j) => [...plans.get(j.id)!.start, ...plans.get(j.id)!.missed].map((slot) => ({ jobId: j.id, slot })));
  // Slots another tick dealt with between our reading the schedules and locking the jobs.
  const claimed = new Set((await store.slotsDealtWith(pairs)).map((s) => `${s.job_id} ${new Date(s.slot).getTime()}`));
  const isClaimed = (jobId: string, slot: Date) => claimed.has(`${jobId} ${slot.getTime()}`);
  const policyOf = (j: JobRow) => (j.spec as unknown as JobSpec).concurrencyPolicy;
  const guarded = jobs.filter((j) => policyOf(j) !== 'Allow').map((j) => j.id);
  const active = new Map<string, Array<{ id: string }>>();
  if (guarded.length > 0) {
    for (const r of await store.lockActiveRuns(guarded)) active.set(r.job_id, [...(active.get(r.job_id) ?? []), r]);
  }

  const slotRows: SlotRow[] = [];
  const runs: Array<{ job: JobRow; run: NewRun }> = [];
  for (const job of jobs) {
    const plan = plans.get(job.id)!;
    for (const slot of plan.missed)
      if (!isClaimed(job.id, slot))
        slotRows.push({ job_id: job.id, slot, outcome: 'missed', run_id: null, reason: `not started: catch-up policy ${plan.schedule.catchUp}` });
    let inProgress = active.get(job.id) ?? [];
    for (const slot of plan.start) {
      if (isClaimed(job.id, slot)) continue;
      const policy = policyOf(job);
      if (policy === 'Forbid' && inProgress.length > 0) {
        slotRows.push({
          job_id: job.id,
          slot,
          outcome: 'skipped',
          run_id: null,
          reason: `run ${inProgress[0]!.id} was in progress (concurrency policy Forbid)`,
        });
        continue;
      }
      const newRun: NewRun = { trigger: 'schedule', triggerRef: slot.toISOString(), requestedBy: 'scheduler', overrides: {}, id: randomUUID() };
      if (policy === 'Replace') {
        // Cancelling needs the runs stored, so Replace jobs take the one-run-at-a-time path (their runs in progress are already locked).
        for (const run of inProgress) {
          const current = await store.run(run.id);
          const ended = await endRun(tx, platform, current, 'CANCELLED', {
            attempt: current.attempts,
            source: 'supervisor',
            message: `replaced by the run of slot ${slot.toISOString()} (concurrency policy Replace)`,
          });
          toCancel.push(ended.attemptName);
        }
        await insertRun(tx, platform, job, newRun);
      } else runs.push({ job, run: newRun });
      inProgress = policy === 'Allow' ? inProgress : [{ id: newRun.id! }];
      slotRows.push({ job_id: job.id, slot, outcome: 'started', run_id: newRun.id!, reason: null });
    }
  }
  await insertRuns(tx, platform, runs);
  if (slotRows.length === 0) return;
  for (const r of await store.recordSlots(slotRows)) {
    result[r.outcome] += 1;
    if (r.run_id) toSubmit.push(r.run_id);
  }
}
