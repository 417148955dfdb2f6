import { CatalogEvents } from '../../../../shared/domains/contracts/index.js';
import { NamespaceNotEmptyError } from '../../../../shared/errors/index.js';
import { noContent, type Handler } from '../../../../shared/http/index.js';
import { displayNamespace, namespaceOf } from '../../domain/identifiers.js';
import type { NamespaceParams } from '../../schemas/iceberg-requests.js';
import { objectNoun, requireNamespace } from '../../store/catalog-objects.js';
import { namespaceStore } from '../../../../shared/domains/catalog/index.js';
import { actorOf } from '../actor.js';
import { namespaceEvent } from './common.js';

/** dropNamespace: only an empty namespace is dropped (no tables, no views, no child namespaces), else 409. */
export const dropNamespace: Handler<{ params: typeof NamespaceParams }> = async (ctx) => {
  const levels = namespaceOf(ctx.params);
  const { warehouse, namespace } = await requireNamespace(ctx.tx, ctx.params.prefix, levels, true);
  const store = namespaceStore(ctx.tx);
  const object = await store.anyObject(namespace.id);
  if (object)
    throw new NamespaceNotEmptyError(
      `Namespace ${displayNamespace(levels)} is not empty: it still holds ${objectNoun(object.kind).toLowerCase()} ${object.name}`,
    );
  const child = await store.anyChild(warehouse.id, namespace.levels);
  if (child) throw new NamespaceNotEmptyError(`Namespace ${displayNamespace(levels)} is not empty: it still holds namespace ${displayNamespace(child.levels)}`);
  await store.delete(namespace.id);
  await ctx.platform.outbox.publish(ctx.tx, namespaceEvent(CatalogEvents.namespaceDropped, warehouse.name, levels, actorOf(ctx.requirePrincipal()).name));
  return noContent();
};
