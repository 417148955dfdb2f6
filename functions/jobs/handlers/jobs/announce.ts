import type { JobRow } from '../../../../shared/db/index.js';
import { JobEvents } from '../../../../shared/domains/contracts/index.js';
import type { OperationContext } from '../../../../shared/http/index.js';

/** A job.changed event, in the change's transaction. */
export async function announce(
  ctx: OperationContext<unknown, unknown, unknown>,
  row: Pick<JobRow, 'id' | 'name' | 'version'>,
  change: 'create' | 'update' | 'delete',
  actor: string,
): Promise<void> {
  await ctx.platform.outbox.publish(ctx.tx, {
    type: JobEvents.jobChanged,
    subject: `jobs/${row.id}`,
    data: { jobId: row.id, name: row.name, version: row.version, change, actor },
  });
}
