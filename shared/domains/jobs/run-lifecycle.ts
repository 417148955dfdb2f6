import type { FunctionServices } from '../../events/index.js';
import { randomUUID } from 'node:crypto';
import type { JobRow, JobRunRow, RunState, RunTrigger, Tx } from '../../db/index.js';
import { ConflictError } from '../../errors/index.js';
import { JobEvents } from '../contracts/index.js';
import type { JobSpec, RunOverrides } from './job-spec.js';
import { isTerminal } from './run-states.js';
import { attemptName } from './spark-application.js';
import { runLifecycleStore } from './run-lifecycle-store.js';

/** Who or what moved a run: a request, a runtime status report, or the supervisor (retries, timeouts). */
export type ChangeSource = 'api' | 'runtime' | 'supervisor';

export interface Move {
  attempt: number | null;
  appState?: string | null;
  source: ChangeSource;
  message?: string | null;
  /** Unique per run: a second delivery of the same status event adds no timeline row. */
  eventKey?: string;
}

/**
 * Moves a run to a state in the caller's transaction: the row (start and finish times), a timeline entry, and a
 * run.state-changed event. A terminal run never moves again.
 */
export async function moveRun(
  tx: Tx,
  platform: FunctionServices,
  run: JobRunRow,
  to: RunState,
  m: Move,
  extra: Partial<Pick<JobRunRow, 'next_attempt_at'>> = {},
): Promise<JobRunRow> {
  if (isTerminal(run.state)) return run;
  const now = new Date();
  const updated = await runLifecycleStore(tx).update(run.id, {
    state: to,
    message: m.message ?? run.message,
    updated_at: now,
    ...(to === 'RUNNING' && !run.started_at ? { started_at: now } : {}),
    ...(isTerminal(to) ? { finished_at: now, next_attempt_at: null } : {}),
    ...extra,
  });
  await timeline(tx, run.id, to, m);
  await platform.outbox.publish(tx, {
    type: JobEvents.runStateChanged,
    subject: `runs/${run.id}`,
    data: {
      runId: run.id,
      jobId: run.job_id,
      jobName: run.job_name,
      jobVersion: run.job_version,
      state: to,
      previousState: run.state,
      attempt: updated.attempts,
      trigger: run.trigger,
      message: m.message ?? null,
    },
  });
  return updated;
}

export async function timeline(tx: Tx, runId: string, state: RunState, m: Move): Promise<void> {
  await runLifecycleStore(tx).addToTimeline({
    run_id: runId,
    attempt: m.attempt,
    state,
    app_state: m.appState ?? null,
    source: m.source,
    message: m.message ?? null,
    event_key: m.eventKey ?? null,
  });
}

export interface NewRun {
  trigger: RunTrigger;
  triggerRef?: string | null;
  requestedBy: string | null;
  overrides: RunOverrides;
  /** The run's id, when the caller needs it before the run is stored (a batch that refers to it); default: a new one. */
  id?: string;
}

/** A run of a job's current version, QUEUED with its first attempt; submitted after the transaction commits. */
export async function insertRun(tx: Tx, platform: FunctionServices, job: JobRow, r: NewRun): Promise<JobRunRow> {
  const [run] = await insertRuns(tx, platform, [{ job, run: r }]);
  return run!;
}

/**
 * Runs of several jobs at once (a scheduler tick), each as insertRun makes it: the runs, their first attempts, the
 * QUEUED timeline rows and the run events, in four statements whatever their number.
 */
export async function insertRuns(tx: Tx, platform: FunctionServices, items: ReadonlyArray<{ job: JobRow; run: NewRun }>): Promise<JobRunRow[]> {
  if (items.length === 0) return [];
  const now = Date.now();
  const values = items.map(({ job, run: r }) => {
    const spec = job.spec as unknown as JobSpec;
    return {
      id: r.id ?? randomUUID(),
      job_id: job.id,
      job_name: job.name,
      job_version: job.version,
      owner: job.owner,
      state: 'QUEUED' as const,
      trigger: r.trigger,
      trigger_ref: r.triggerRef ?? null,
      requested_by: r.requestedBy,
      overrides: JSON.stringify(r.overrides),
      attempts: 1,
      max_attempts: spec.retry.maxAttempts,
      backoff_seconds: spec.retry.backoffSeconds,
      timeout_at: spec.timeoutSeconds ? new Date(now + spec.timeoutSeconds * 1000) : null,
    };
  });
  const store = runLifecycleStore(tx);
  const inserted = await store.insertRuns(values);
  // RETURNING gives no order guarantee: answer in the callers' order.
  const byId = new Map(inserted.map((r) => [r.id, r]));
  const runs = values.map((v) => byId.get(v.id)!);
  await store.insertAttempts(
    runs.map((run) => ({ run_id: run.id, attempt: 1, name: attemptName(run.job_name, run.id, 1), runtime: platform.runtime.name, state: 'QUEUED' as const })),
  );
  await store.addToTimeline(
    items.map(({ job, run: r }, i) => ({
      run_id: runs[i]!.id,
      attempt: 1,
      state: 'QUEUED' as const,
      app_state: null,
      source: 'api',
      message: `${r.trigger} run of ${job.name} version ${job.version}`,
      event_key: null,
    })),
  );
  await platform.outbox.publishMany(
    tx,
    items.map(({ job, run: r }, i) => ({
      type: JobEvents.runStateChanged,
      subject: `runs/${runs[i]!.id}`,
      data: {
        runId: runs[i]!.id,
        jobId: job.id,
        jobName: job.name,
        jobVersion: job.version,
        state: 'QUEUED',
        previousState: null,
        attempt: 1,
        trigger: r.trigger,
        message: null,
      },
    })),
  );
  return runs;
}

export async function insertAttempt(tx: Tx, platform: FunctionServices, run: JobRunRow, attempt: number): Promise<void> {
  await runLifecycleStore(tx).insertAttempts({
    run_id: run.id,
    attempt,
    name: attemptName(run.job_name, run.id, attempt),
    runtime: platform.runtime.name,
    state: 'QUEUED',
  });
}

/** Ends a run as CANCELLED (a user) or TIMED_OUT (the supervisor), with its current attempt; the caller stops the application. */
export async function endRun(
  tx: Tx,
  platform: FunctionServices,
  run: JobRunRow,
  to: 'CANCELLED' | 'TIMED_OUT',
  m: Move,
): Promise<{ run: JobRunRow; attemptName: string }> {
  if (isTerminal(run.state)) throw new ConflictError(`run ${run.id} already ended: ${run.state}`);
  const now = new Date();
  const ended = await runLifecycleStore(tx).endAttempt(run.id, run.attempts, { state: to, finished_at: now, message: m.message ?? null });
  const moved = await moveRun(tx, platform, run, to, { ...m, attempt: run.attempts });
  return { run: moved, attemptName: ended ?? attemptName(run.job_name, run.id, run.attempts) };
}
