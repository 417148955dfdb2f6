import { CatalogEvents } from '../../../../shared/domains/contracts/index.js';
import { UnprocessableEntityError } from '../../../../shared/errors/index.js';
import { json, type Handler } from '../../../../shared/http/index.js';
import { namespaceOf } from '../../domain/identifiers.js';
import type { NamespaceParams, UpdateNamespacePropertiesRequest } from '../../schemas/iceberg-requests.js';
import { requireNamespace } from '../../store/catalog-objects.js';
import { namespaceStore } from '../../../../shared/domains/catalog/index.js';
import { actorOf } from '../actor.js';
import { checkProperties, namespaceEvent } from './common.js';

/** updateProperties: sets and removes properties; answers what was updated, removed and missing. */
export const updateProperties: Handler<{ params: typeof NamespaceParams; body: typeof UpdateNamespacePropertiesRequest }> = async (ctx) => {
  const levels = namespaceOf(ctx.params);
  const updates = ctx.body.updates ?? {};
  const removals = ctx.body.removals ?? [];
  const both = removals.filter((k) => k in updates);
  if (both.length > 0) throw new UnprocessableEntityError(`Properties cannot be both updated and removed: ${both.join(', ')}`);
  const { warehouse, namespace } = await requireNamespace(ctx.tx, ctx.params.prefix, levels, true);
  checkProperties(warehouse, updates, 'updates');
  const properties = { ...namespace.properties };
  const removed: string[] = [];
  const missing: string[] = [];
  for (const key of removals) {
    if (key in properties) {
      delete properties[key];
      removed.push(key);
    } else {
      missing.push(key);
    }
  }
  Object.assign(properties, updates);
  await namespaceStore(ctx.tx).setProperties(namespace.id, properties);
  await ctx.platform.outbox.publish(ctx.tx, namespaceEvent(CatalogEvents.namespaceUpdated, warehouse.name, levels, actorOf(ctx.requirePrincipal()).name));
  return json(200, { updated: Object.keys(updates), removed, missing: missing.length > 0 ? missing : null });
};
