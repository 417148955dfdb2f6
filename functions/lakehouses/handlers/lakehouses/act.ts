import { json, type Handler } from '../../../../shared/http/index.js';
import { startLakehouse, stopLakehouse, toLakehouse } from '../../../../shared/domains/lakehouses/index.js';
import type { LakehouseParams } from '../../schemas.js';
import { actorOf, lakehouseNamed } from './access.js';

/**
 * Start, stop or restart, in steps: the lifecycle (shared/domains/lakehouses, which the supervisor and auto-start
 * share) moves the lakehouse in short transactions of its own and asks the runtime between them, never holding one
 * open across a call to Kubernetes or a process start. 202 with the lakehouse as it is then.
 */
export const actOnLakehouse =
  (verb: 'start' | 'stop' | 'restart'): Handler<{ params: typeof LakehouseParams }> =>
  async (ctx) => {
    const current = await lakehouseNamed(ctx, ctx.db);
    const by = { actor: actorOf(ctx.requirePrincipal()), source: 'api' as const };
    const row =
      verb === 'start'
        ? await startLakehouse(ctx.platform, current.id, by)
        : await stopLakehouse(ctx.platform, current.id, { ...by, restart: verb === 'restart' });
    return json(202, toLakehouse(row));
  };
