import { json, type Handler } from '../../../../shared/http/index.js';
import { announceChange, LakehouseSpec, recordActivity, toLakehouse } from '../../../../shared/domains/lakehouses/index.js';
import { lakehouseStore } from '../../store/lakehouse-store.js';
import { actorOf, ownerFor } from './access.js';
import { stored, validate } from './definition.js';

/** A lakehouse is defined STOPPED; nothing runs until it is started. */
export const createLakehouse: Handler<{ body: typeof LakehouseSpec }> = async (ctx) => {
  const principal = ctx.requirePrincipal();
  const spec = ctx.body;
  const actor = actorOf(principal);
  validate(spec);
  const created = await lakehouseStore(ctx.tx).create({ name: spec.name, owner: ownerFor(principal, spec.owner), spec: stored(spec), actor });
  await recordActivity(ctx.tx, created, { kind: 'change', action: 'create', to: 'STOPPED', actor, message: `created (version 1)` });
  await announceChange(ctx.tx, ctx.platform, created, 'create', actor);
  const lakehouse = toLakehouse(created);
  ctx.auditResource = `lakehouses/${lakehouse.id}`;
  return json(201, lakehouse, { location: `/api/v1/lakehouses/${lakehouse.id}`, etag: `"${lakehouse.version}"` });
};
