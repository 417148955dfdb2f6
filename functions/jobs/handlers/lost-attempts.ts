import type { CloudEventV1 } from 'cloudevents';
import type { Tx } from '../../../shared/db/index.js';
import type { EventContext } from '../../../shared/events/index.js';
import { ACTIVE_STATES, LABELS, applyApplicationStatuses, type StatusReport } from '../../../shared/domains/jobs/index.js';
import type { Platform } from '../../../shared/platform/index.js';
import { ResourceEvents } from '../../../shared/runtime/index.js';
import { runSupervisionStore } from '../store/run-supervision-store.js';

type LostAttempt = { run_id: string; attempt: number; name: string; last_sequence: string };

/**
 * The report the Spark Operator makes of a driver that vanished, for an attempt the local runtime lost: FAILED, with
 * why, one resourceVersion past the last one applied (so it is applied once, and an older report changes nothing).
 */
function lostReport(a: LostAttempt, at: Date): StatusReport {
  const app = {
    apiVersion: 'sparkoperator.k8s.io/v1beta2',
    kind: 'SparkApplication',
    metadata: {
      name: a.name,
      resourceVersion: String(BigInt(a.last_sequence) + 1n),
      labels: { [LABELS.run]: a.run_id, [LABELS.attempt]: String(a.attempt) },
    },
    status: {
      applicationState: {
        state: 'FAILED',
        errorMessage: `the local spark-submit process was lost with the Lakeplane process that ran it (found at ${at.toISOString()})`,
      },
      terminationTime: at.toISOString(),
    },
  };
  // Its id is the run's timeline key for this report: fixed per attempt, so it can be written once only.
  const event: CloudEventV1<unknown> = {
    specversion: '1.0',
    id: `lost/${a.name}`,
    source: '/lakeplane/jobs/supervisor',
    type: ResourceEvents.update.type,
    subject: `sparkapplications/${a.name}`,
    data: app,
  };
  return { change: 'update', app, event };
}

/**
 * The local runtime's workloads are children of the process that started them (the jobs function's, or the
 * scheduler's for the runs it starts) and end with it; one killed outright cannot end them, and they run on
 * unsupervised. Once that process is gone no report of theirs will come: their attempts are reported FAILED through
 * the status path the runtime's own reports take (attempt, run, timeline, run events: history and webhooks see any
 * other failure), the run's retry policy applies, and what a killed process left running is ended. The runtime tells
 * which workloads are orphaned (the process that supervised them is gone), so a workload another live process runs
 * (the separate services share one data directory) is never taken for lost. Run at the jobs function's start, before
 * the outbox delivers what an earlier process left (a stopped driver's delete), and on every supervisor tick. On
 * Kubernetes the SparkApplication outlives any process: nothing is done. Each run is claimed with SKIP LOCKED and the
 * report carries the next resourceVersion, so several supervisors fail an attempt once.
 */
export async function failLostAttempts(platform: Platform): Promise<number> {
  if (platform.runtime.name !== 'local') return 0;
  const db = platform.store.db;
  let failed = 0;
  for (const a of await runSupervisionStore(db).localAttemptsInFlight()) {
    if (!platform.runtime.orphaned(a.name)) continue;
    const applied = await db.transaction().execute(async (tx) => {
      const run = await runSupervisionStore(tx).claim(a.run_id);
      if (!run || run.attempts !== a.attempt || !(ACTIVE_STATES as readonly string[]).includes(run.state)) return false;
      await applyApplicationStatuses(contextOf(platform, tx), [lostReport(a, new Date())]);
      return true;
    });
    if (!applied) continue;
    failed += 1;
    // Not waited for: a start, or a tick, does not wait out a driver's grace.
    void platform.runtime.cancel(a.name).catch((err: unknown) => platform.logger.error({ err, app: a.name }, 'ending a lost attempt left running failed'));
  }
  return failed;
}

/** A consumer's context around the supervisor's own transaction (status application runs nothing after commit). */
function contextOf(platform: Platform, tx: Tx): EventContext {
  return {
    platform,
    log: platform.logger,
    tx,
    afterCommit: () => {
      throw new Error('applying a status report asked for work after commit, which the supervisor does not run');
    },
  };
}
