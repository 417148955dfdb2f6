import { CatalogEvents } from '../../../../shared/domains/contracts/index.js';
import { AlreadyExistsError } from '../../../../shared/errors/index.js';
import { noContent, type Handler } from '../../../../shared/http/index.js';
import { displayNamespace } from '../../domain/identifiers.js';
import type { PrefixParams, RenameTableRequest } from '../../schemas/iceberg-requests.js';
import { objectNoun, requireNamespace, requireObject, type ObjectKind } from '../../store/catalog-objects.js';
import { objectStore } from '../../store/object-store.js';
import { actorOf } from '../actor.js';
import { forgetSignableTables } from '../table-signing.js';

/** renameTable and renameView: to another name, or another namespace of the warehouse. */
export function renameObject(kind: ObjectKind): Handler<{ params: typeof PrefixParams; body: typeof RenameTableRequest }> {
  return async (ctx) => {
    const { prefix } = ctx.params;
    const { source, destination } = ctx.body;
    // The signer keeps tables by name: it reads both names again.
    if (kind === 'table') ctx.afterCommit(() => forgetSignableTables(ctx.platform, prefix, [source, destination]));
    const { warehouse, object } = await requireObject(ctx.tx, kind, prefix, source.namespace, source.name, true);
    const target = await requireNamespace(ctx.tx, prefix, destination.namespace);
    if (target.namespace.id === object.namespace_id && destination.name === object.name) return noContent();
    const store = objectStore(ctx.tx);
    const taken = await store.kindAt(target.namespace.id, destination.name);
    if (taken) {
      const to = `${displayNamespace(destination.namespace)}.${destination.name}`;
      if (taken === 'table' && kind === 'table') throw new AlreadyExistsError(`Table already exists: ${to}`);
      throw new AlreadyExistsError(`Cannot rename ${displayNamespace(source.namespace)}.${source.name} to ${to}. ${objectNoun(taken)} already exists`);
    }
    await store.move(object.id, target.namespace.id, destination.name);
    await ctx.platform.outbox.publish(ctx.tx, {
      type: kind === 'table' ? CatalogEvents.tableRenamed : CatalogEvents.viewRenamed,
      subject: `catalog/${warehouse.name}/${kind}s/${object.id}`,
      data: { warehouse: warehouse.name, uuid: object.id, from: source, to: destination, actor: actorOf(ctx.requirePrincipal()).name },
    });
    return noContent();
  };
}
