import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { JobRow, Tx } from '../../../shared/db/index.js';
import { ACTIVE_STATES, endRun, insertRun, insertRuns, submitInBackground, type JobSpec, type NewRun } from '../../../shared/domains/jobs/index.js';
import type { Platform } from '../../../shared/platform/index.js';
import { dueSlots, slotsToStart } from '../domain/slots.js';

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

type SlotOutcome = 'started' | 'skipped' | 'missed';
interface SlotRow {
  job_id: string;
  slot: Date;
  outcome: SlotOutcome;
  run_id: string | null;
  reason: string | null;
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
  const scheduled = await db
    .selectFrom('jobs as j')
    // Only the schedule of each job: the specs whole would be most of the tick's time with 10,000 jobs.
    .select(['j.id', 'j.updated_at', sql<JobSpec['schedule']>`j.spec -> 'schedule'`.as('schedule')])
    .select((eb) =>
      eb
        .selectFrom('job_schedule_slots as s')
        .select((e) => e.fn.max('s.slot').as('last'))
        .whereRef('s.job_id', '=', 'j.id')
        .as('last_slot'),
    )
    .where(sql<boolean>`j.spec -> 'schedule' is not null and coalesce((j.spec -> 'schedule' ->> 'paused')::boolean, false) = false`)
    .execute();
  const due: DueJob[] = [];
  for (const row of scheduled) {
    const schedule = row.schedule!;
    const after = row.last_slot ? new Date(row.last_slot as unknown as string) : row.updated_at;
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
  const jobs = await tx
    .selectFrom('jobs')
    .selectAll()
    .where(
      'id',
      'in',
      due.map((d) => d.id),
    )
    .orderBy('id')
    .forUpdate()
    .skipLocked()
    .execute();
  if (jobs.length === 0) return; // another replica has them this tick
  const plans = new Map(due.map((d) => [d.id, d]));
  const pairs = jobs.flatMap((j) =>
    [...plans.get(j.id)!.start, ...plans.get(j.id)!.missed].map((slot) => sql`(${j.id}::uuid, ${slot.toISOString()}::timestamptz)`),
  );
  // Slots another tick dealt with between our reading the schedules and locking the jobs.
  const claimed = new Set(
    pairs.length === 0
      ? []
      : (
          await tx
            .selectFrom('job_schedule_slots')
            .select(['job_id', 'slot'])
            .where(sql<boolean>`(job_id, slot) in (${sql.join(pairs)})`)
            .execute()
        ).map((s) => `${s.job_id} ${new Date(s.slot).getTime()}`),
  );
  const isClaimed = (jobId: string, slot: Date) => claimed.has(`${jobId} ${slot.getTime()}`);
  const policyOf = (j: JobRow) => (j.spec as unknown as JobSpec).concurrencyPolicy;
  const guarded = jobs.filter((j) => policyOf(j) !== 'Allow').map((j) => j.id);
  const active = new Map<string, Array<{ id: string }>>();
  if (guarded.length > 0) {
    const rows = await tx
      .selectFrom('job_runs')
      .selectAll()
      .where('job_id', 'in', guarded)
      .where('state', 'in', ACTIVE_STATES)
      .orderBy('id')
      .forUpdate()
      .execute();
    for (const r of rows) active.set(r.job_id, [...(active.get(r.job_id) ?? []), r]);
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
          const current = await tx.selectFrom('job_runs').selectAll().where('id', '=', run.id).executeTakeFirstOrThrow();
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
  const recorded = await tx
    .insertInto('job_schedule_slots')
    .values(slotRows)
    .onConflict((oc) => oc.columns(['job_id', 'slot']).doNothing())
    .returning(['outcome', 'run_id'])
    .execute();
  for (const r of recorded) {
    result[r.outcome] += 1;
    if (r.run_id) toSubmit.push(r.run_id);
  }
}
