import { sql } from 'kysely';
import type { JobRow, Tx } from '../../../shared/db/index.js';
import { endRun, insertRun, submitInBackground, type JobSpec } from '../../../shared/jobs/index.js';
import type { Platform } from '../../../shared/platform/index.js';
import { dueSlots, slotsToStart } from '../domain/slots.js';

export interface TickResult {
  started: number;
  skipped: number;
  missed: number;
}

/**
 * One scheduler tick: every scheduled, unpaused job gets the runs its due slots call for, each slot exactly once.
 * A job is claimed for the tick with SKIP LOCKED (another replica, or a redelivered ping, passes it by), and every
 * slot dealt with is a row keyed (job, slot): started, skipped (Forbid while a run is in progress) or missed (the
 * catch-up policy after downtime). Replace cancels the runs in progress first. Runs are submitted after commit.
 */
export async function tick(platform: Platform, now = new Date()): Promise<TickResult> {
  const db = platform.store.db;
  const graceMs = platform.config.LAKEPLANE_SCHEDULER_GRACE_MS;
  const scheduled = await db
    .selectFrom('jobs as j')
    // Only the schedule of each job: the specs whole would be most of the tick's time with 10,000 jobs.
    .select(['j.id', 'j.updated_at', sql<JobSpec['schedule']>`j.spec -> 'schedule'`.as('schedule')])
    .select((eb) => eb.selectFrom('job_schedule_slots as s').select((e) => e.fn.max('s.slot').as('last')).whereRef('s.job_id', '=', 'j.id').as('last_slot'))
    .where(sql<boolean>`j.spec -> 'schedule' is not null and coalesce((j.spec -> 'schedule' ->> 'paused')::boolean, false) = false`)
    .execute();
  const result: TickResult = { started: 0, skipped: 0, missed: 0 };
  const toSubmit: string[] = [];
  const toCancel: string[] = [];
  for (const row of scheduled) {
    const schedule = row.schedule!;
    const after = row.last_slot ? new Date(row.last_slot as unknown as string) : row.updated_at;
    const due = dueSlots(schedule.cron, schedule.timeZone, after, now, 100);
    if (due.length === 0) continue;
    const plan = slotsToStart(due, schedule.catchUp, now, graceMs);
    await db.transaction().execute(async (tx) => {
      const job = await tx.selectFrom('jobs').selectAll().where('id', '=', row.id).forUpdate().skipLocked().executeTakeFirst();
      if (!job) return; // another replica has it this tick
      const record = (slot: Date, outcome: 'started' | 'skipped' | 'missed', runId: string | null, reason: string | null) =>
        tx.insertInto('job_schedule_slots').values({ job_id: job.id, slot, outcome, run_id: runId, reason }).onConflict((oc) => oc.columns(['job_id', 'slot']).doNothing()).returning('slot').executeTakeFirst();
      for (const slot of plan.missed) if (await record(slot, 'missed', null, `not started: catch-up policy ${schedule.catchUp}`)) result.missed += 1;
      for (const slot of plan.start) {
        const claimed = await tx.selectFrom('job_schedule_slots').select('slot').where('job_id', '=', job.id).where('slot', '=', slot).executeTakeFirst();
        if (claimed) continue;
        const outcome = await startSlot(tx, platform, job, slot, toCancel);
        if (outcome.runId) toSubmit.push(outcome.runId);
        await record(slot, outcome.runId ? 'started' : 'skipped', outcome.runId ?? null, outcome.reason ?? null);
        if (outcome.runId) result.started += 1;
        else result.skipped += 1;
      }
    });
  }
  for (const name of toCancel) await platform.runtime.cancel(name).catch((err: unknown) => platform.logger.error({ err, name }, 'stopping a replaced run failed'));
  for (const runId of toSubmit) submitInBackground(platform, runId, 1);
  return result;
}

async function startSlot(tx: Tx, platform: Platform, job: JobRow, slot: Date, toCancel: string[]): Promise<{ runId?: string; reason?: string }> {
  const spec = job.spec as unknown as JobSpec;
  const active = await tx.selectFrom('job_runs').selectAll().where('job_id', '=', job.id).where('state', 'in', ['QUEUED', 'SUBMITTED', 'RUNNING']).forUpdate().execute();
  if (active.length > 0 && spec.concurrencyPolicy === 'Forbid') return { reason: `run ${active[0]!.id} was in progress (concurrency policy Forbid)` };
  if (spec.concurrencyPolicy === 'Replace') {
    for (const run of active) {
      const ended = await endRun(tx, platform, run, 'CANCELLED', { attempt: run.attempts, source: 'supervisor', message: `replaced by the run of slot ${slot.toISOString()} (concurrency policy Replace)` });
      toCancel.push(ended.attemptName);
    }
  }
  const run = await insertRun(tx, platform, job, { trigger: 'schedule', triggerRef: slot.toISOString(), requestedBy: 'scheduler', overrides: {} });
  return { runId: run.id };
}
