import { ConflictError, ForbiddenError } from '../../../../shared/errors/index.js';
import { ifMatchVersion, json, noContent, type Handler } from '../../../../shared/http/index.js';
import { cancelWorkload, finishDelete, moveLakehouse, requireLakehouse, toLakehouse } from '../../../../shared/domains/lakehouses/index.js';
import type { LakehouseParams } from '../../schemas.js';
import { actorOf, lakehouseNamed } from './access.js';

/**
 * In steps: at once when nothing runs (204); otherwise DELETING in a short transaction, then its workload asked to
 * stop (the runtime's report of its end removes the lakehouse), 202. Its activity history stays.
 */
export const deleteLakehouse: Handler<{ params: typeof LakehouseParams }> = async (ctx) => {
  const { platform } = ctx;
  // What the checks decided on: a change of owner since then is refused under the row lock.
  const decided = await lakehouseNamed(ctx, ctx.db);
  const expectedVersion = ifMatchVersion(ctx.headers['if-match'], 'lakehouse');
  const actor = actorOf(ctx.requirePrincipal());
  const result = await ctx.transact(async (tx) => {
    const current = await requireLakehouse(tx, decided.id, true);
    if (current.owner !== decided.owner) throw new ForbiddenError(`lakehouse ${current.name} changed owner meanwhile; read it again`);
    if (expectedVersion !== undefined && expectedVersion !== current.version)
      throw new ConflictError(`lakehouse ${current.name} is at version ${current.version}, not ${expectedVersion}`);
    if (current.state === 'DELETING') return { status: 202, row: current };
    if (current.state === 'STOPPED' || (current.state === 'FAILED' && !current.workload_name)) {
      await finishDelete(tx, platform, current, actor);
      return { status: 204, row: current };
    }
    const moved = await moveLakehouse(tx, platform, current, 'DELETING', { source: 'api', actor, message: 'deleting: stopping its workload first' });
    return { status: 202, row: moved };
  });
  if (result.status === 204) {
    await platform.endpoints
      .unexpose(result.row.name)
      .catch((err: unknown) => platform.logger.error({ err, lakehouse: result.row.name }, 'removing a lakehouse Service failed'));
    return noContent();
  }
  await cancelWorkload(platform, result.row);
  return json(202, toLakehouse(await requireLakehouse(platform.store.db, decided.id).catch(() => result.row)));
};
