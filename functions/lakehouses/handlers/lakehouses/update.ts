import { Value } from '@sinclair/typebox/value';
import { ConflictError, ForbiddenError, ValidationError } from '../../../../shared/errors/index.js';
import { ifMatchVersion, json, type Handler } from '../../../../shared/http/index.js';
import {
  announceChange,
  LakehousePatch,
  LakehouseSpec,
  recordActivity,
  requireLakehouse,
  restartRequired,
  specOf,
  toLakehouse,
} from '../../../../shared/domains/lakehouses/index.js';
import type { LakehouseParams } from '../../schemas.js';
import { lakehouseStore } from '../../store/lakehouse-store.js';
import { actorOf, lakehouseNamed, ownerFor } from './access.js';
import { stored, validate } from './definition.js';

/**
 * Given fields replace the stored ones, a new version. On a running lakehouse, what takes effect only at a start
 * (sizes, Spark settings, image) is kept and flagged "restart required" until the next start; the rest (description,
 * tags, auto-stop, auto-start, owner) applies at once.
 */
export const updateLakehouse: Handler<{ params: typeof LakehouseParams; body: typeof LakehousePatch }> = async (ctx) => {
  const principal = ctx.requirePrincipal();
  // What the checks decided on: a change of owner since then is refused below, under the row lock.
  const decided = await lakehouseNamed(ctx, ctx.db);
  const patch = ctx.body;
  const owner = patch.owner === undefined ? undefined : ownerFor(principal, patch.owner);
  const expectedVersion = ifMatchVersion(ctx.headers['if-match'], 'lakehouse');
  const actor = actorOf(principal);
  const current = await requireLakehouse(ctx.tx, decided.id, true);
  if (current.owner !== decided.owner) throw new ForbiddenError(`lakehouse ${current.name} changed owner meanwhile; read it again`);
  if (expectedVersion !== undefined && expectedVersion !== current.version) {
    throw new ConflictError(`lakehouse ${current.name} is at version ${current.version}, not ${expectedVersion}: someone changed it; read it again and retry`);
  }
  if (patch.name !== undefined && patch.name !== current.name)
    throw new ValidationError([
      { in: 'body', field: 'name', message: `cannot be changed (it names the lakehouse's Kubernetes objects); it is ${current.name}` },
    ]);
  if (current.state === 'DELETING') throw new ConflictError(`lakehouse ${current.name} is being deleted`);
  const before = specOf(current);
  const merged: Record<string, unknown> = { ...before, owner: undefined };
  for (const [k, v] of Object.entries(patch)) {
    if (k === 'owner' || k === 'name') continue;
    if (v === null) delete merged[k];
    else if (k === 'driver' || k === 'executor' || k === 'executors') merged[k] = { ...(before[k] as object), ...(v as object) };
    else merged[k] = v;
  }
  delete merged['owner'];
  const spec = Value.Default(LakehouseSpec, merged) as LakehouseSpec;
  validate(spec);
  const updated = await lakehouseStore(ctx.tx).update(current.id, { owner: owner ?? current.owner, spec: stored(spec), version: current.version + 1, actor });
  const flagged = restartRequired(updated);
  await recordActivity(ctx.tx, updated, {
    kind: 'change',
    action: 'update',
    actor,
    message: `version ${updated.version}: ${Object.keys(patch).join(', ')}${flagged ? ' (restart required)' : ''}`,
  });
  await announceChange(ctx.tx, ctx.platform, updated, 'update', actor);
  const lakehouse = toLakehouse(updated);
  return json(200, lakehouse, { etag: `"${lakehouse.version}"` });
};
