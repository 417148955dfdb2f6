import { Type, type Static } from '@sinclair/typebox';
import type { CloudEventV1 } from 'cloudevents';
import { CatalogEvents } from '../../../shared/domains/contracts/index.js';
import type { EventContext } from '../../../shared/http/index.js';
import { insertRun, submitInBackground, type JobSpec } from '../../../shared/domains/jobs/index.js';
import { triggerStore } from '../store/trigger-store.js';

/**
 * What the scheduler reads of the catalog's table.committed event: the fields it matches triggers on, taken from the
 * event's one definition (shared/domains/contracts); the rest is let through unchecked, so a producer adding a field
 * or leaving out one the scheduler does not read never makes a delivery fail here.
 */
export const TableCommitted = Type.Pick(CatalogEvents.tableCommitted.schema, ['warehouse', 'namespace', 'name', 'uuid'], { additionalProperties: true });

/**
 * The run's trigger reference names the event as CloudEvents identifies it, by source and id: runs are unique per
 * (job, reference), and the same id from another source is another event that starts its own run.
 */
function eventRef(event: CloudEventV1<unknown>): string {
  return `${event.source}#${event.id}`;
}

const sameName = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/**
 * A commit to a catalog table starts every job with a trigger that matches it (warehouse, and namespace and table if
 * the trigger names them), once per event: the consumption is recorded with the runs, and a run is unique per (job,
 * event source and id). Concurrency Forbid skips a job that has a run in progress.
 */
export async function startTriggeredRuns(ctx: EventContext, data: Static<typeof TableCommitted>, event: CloudEventV1<unknown>): Promise<void> {
  const { tx, platform } = ctx;
  const store = triggerStore(tx);
  const jobs = await store.jobsTriggeredByTableCommits();
  const started: string[] = [];
  for (const job of jobs) {
    const spec = job.spec as unknown as JobSpec;
    const matches = spec.triggers.some(
      (t) =>
        sameName(t.warehouse, data.warehouse) &&
        (!t.namespace || (t.namespace.length === data.namespace.length && t.namespace.every((l, i) => sameName(l, data.namespace[i]!)))) &&
        (!t.table || sameName(t.table, data.name)),
    );
    if (!matches) continue;
    if (spec.concurrencyPolicy === 'Forbid') {
      const active = await store.activeRun(job.id);
      if (active) {
        ctx.log.info({ jobId: job.id, activeRun: active }, 'table commit trigger skipped: a run is in progress (Forbid)');
        continue;
      }
    }
    const run = await insertRun(tx, platform, job, {
      trigger: 'event',
      triggerRef: eventRef(event),
      requestedBy: `catalog:${data.warehouse}.${data.namespace.join('.')}.${data.name}`,
      overrides: {},
    });
    started.push(run.id);
  }
  // Submitted once the consumption (and the runs) committed: before that, the submitter could not see them.
  if (started.length > 0) ctx.afterCommit(async () => started.forEach((id) => submitInBackground(platform, id, 1)));
}
