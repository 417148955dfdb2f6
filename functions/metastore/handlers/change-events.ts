import { CatalogEvents } from '../../../shared/domains/contracts/index.js';
import { countChange } from '../store/metastore-changes.js';
import { actorOf } from '../metastore-session.js';
import type { CallContext } from './call-context.js';

/*
 * Every metastore change is announced with the catalog's own CloudEvents (format "hive"), in the transaction that
 * made it, so job triggers and webhooks that follow a table follow it whichever API changed it.
 */

type TableEventType = (typeof CatalogEvents)['tableCreated' | 'tableCommitted' | 'tableDropped'];

export interface TableChange {
  type: TableEventType;
  db: string;
  name: string;
  id: string;
  location: string;
  updates?: string[];
  partitions?: { added?: string[]; altered?: string[]; dropped?: string[] };
  purged?: boolean;
}

export async function publishTableChange(c: CallContext, change: TableChange): Promise<void> {
  await countChange(c.tx);
  await c.session.platform.outbox.publish(c.tx, {
    type: change.type,
    subject: `catalog/${c.warehouse.name}/tables/${change.id}`,
    data: {
      warehouse: c.warehouse.name,
      namespace: [change.db],
      name: change.name,
      uuid: change.id,
      metadataLocation: change.location,
      format: 'hive',
      actor: actorOf(c.session),
      ...(change.updates ? { updates: change.updates } : {}),
      ...(change.partitions ? { partitions: change.partitions } : {}),
      ...(change.purged !== undefined ? { purged: change.purged } : {}),
    },
  });
}

export async function publishRename(c: CallContext, id: string, from: { db: string; name: string }, to: { db: string; name: string }): Promise<void> {
  await countChange(c.tx);
  await c.session.platform.outbox.publish(c.tx, {
    type: CatalogEvents.tableRenamed,
    subject: `catalog/${c.warehouse.name}/tables/${id}`,
    data: {
      warehouse: c.warehouse.name,
      uuid: id,
      from: { namespace: [from.db], name: from.name },
      to: { namespace: [to.db], name: to.name },
      actor: actorOf(c.session),
    },
  });
}

export async function publishDatabaseChange(
  c: CallContext,
  type: (typeof CatalogEvents)['namespaceCreated' | 'namespaceUpdated' | 'namespaceDropped'],
  db: string,
): Promise<void> {
  await countChange(c.tx);
  await c.session.platform.outbox.publish(c.tx, {
    type,
    subject: `catalog/${c.warehouse.name}/namespaces/${db}`,
    data: { warehouse: c.warehouse.name, namespace: [db], actor: actorOf(c.session) },
  });
}
