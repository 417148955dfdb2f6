import { sql } from 'kysely';
import type { NamespaceRow, Tx, WarehouseRow } from '../../../shared/db/index.js';
import { BadRequestError, CommitFailedError } from '../../../shared/errors/index.js';
import type { Platform } from '../../../shared/platform/index.js';
import { CatalogEvents } from '../../../shared/domains/contracts/index.js';
import { displayNamespace } from '../domain/identifiers.js';
import { TableMetadataBuilder } from '../domain/table-metadata-builder.js';
import { checkTableRequirements } from '../domain/table-requirements.js';
import type { TableRequirementValue, TableUpdateValue } from '../schemas/iceberg-requests.js';
import { OBJECT_COLUMNS, findNamespace, missing, requireNamespace, type CatalogObject } from '../store/catalog-objects.js';
import { requireWarehouse } from '../store/warehouses.js';
import { checkObjectLocations, readStoredMetadata, writeTableMetadata } from './table-files.js';
import { ensureNameFree, insertObject, snapshotIdString, type Actor } from './tables.js';

export interface TableChange {
  identifier: { namespace: string[]; name: string };
  requirements: TableRequirementValue[];
  updates: TableUpdateValue[];
}

export interface CommittedTable {
  metadataLocation: string;
  metadataText: string;
  /** Metadata files the commit let go of, to delete once it has committed (write.metadata.delete-after-commit.enabled). */
  obsoleteMetadataFiles: string[];
}

const DELETE_AFTER_COMMIT = 'write.metadata.delete-after-commit.enabled';

interface Target {
  change: TableChange;
  namespace: NamespaceRow;
  row: CatalogObject | undefined;
}

const key = (c: TableChange) => `${c.identifier.namespace.join('\x1F')}\x00${c.identifier.name}`;

/**
 * Commits changes to one or more tables of a warehouse, all or nothing. Rows are locked in one global order (so two
 * transactions over the same tables cannot deadlock), every requirement is checked against the locked state, and
 * only then are new metadata files written and the pointers swapped. A requirement that fails is 409 CommitFailed
 * and nothing changes; the files of a failed transaction are orphans no pointer names.
 */
export async function commitTables(tx: Tx, platform: Platform, prefix: string, changes: TableChange[], actor: Actor): Promise<CommittedTable[]> {
  const seen = new Set<string>();
  for (const c of changes) {
    if (seen.has(key(c))) throw new BadRequestError(`Table ${displayNamespace(c.identifier.namespace)}.${c.identifier.name} appears more than once in the transaction`);
    seen.add(key(c));
  }
  const warehouse = await requireWarehouse(tx, prefix);
  const ordered = [...changes].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  const targets = new Map<TableChange, Target>();
  for (const change of ordered) {
    const creating = change.requirements.some((r) => r.type === 'assert-create');
    const namespace = creating ? (await requireNamespace(tx, prefix, change.identifier.namespace)).namespace : await findNamespace(tx, warehouse.id, change.identifier.namespace);
    if (!namespace) throw missing('table', change.identifier.namespace, change.identifier.name);
    const row = await tx.selectFrom('catalog_objects').select(OBJECT_COLUMNS).where('namespace_id', '=', namespace.id).where('name', '=', change.identifier.name).forUpdate().executeTakeFirst();
    targets.set(change, { change, namespace, row: row?.kind === 'table' ? row : undefined });
    if (!creating && (!row || row.kind !== 'table')) throw missing('table', change.identifier.namespace, change.identifier.name);
    if (creating && row && row.kind !== 'table') await ensureNameFree(tx, namespace, change.identifier.name, 'table');
  }

  const now = Date.now();
  const prepared = changes.map((change) => {
    const target = targets.get(change)!;
    const base = target.row ? readStoredMetadata(target.row.metadata) : null;
    checkTableRequirements(base, change.requirements);
    const builder = new TableMetadataBuilder(base, now).applyAll(change.updates);
    const metadata = builder.build(target.row?.metadata_location ?? null);
    checkObjectLocations(warehouse, metadata, base);
    return { target, base, metadata, changed: builder.hasChanges || !base };
  });

  const results: CommittedTable[] = [];
  for (const { target, base, metadata, changed } of prepared) {
    const { change, namespace, row } = target;
    if (!changed && row) {
      results.push({ metadataLocation: row.metadata_location, metadataText: row.metadata, obsoleteMetadataFiles: [] });
      continue;
    }
    const written = await writeTableMetadata(warehouse, metadata, row?.metadata_location ?? null);
    if (!row) {
      await insertObject(tx, platform, 'table', warehouse, namespace, change.identifier.name, metadata['table-uuid'], written, actor, metadata);
    } else {
      const swapped = await tx
        .updateTable('catalog_objects')
        .set({ metadata_location: written.location, metadata: written.text, updated_at: new Date(), version: sql`version + 1` })
        .where('id', '=', row.id)
        .where('metadata_location', '=', row.metadata_location)
        .executeTakeFirst();
      if (Number(swapped.numUpdatedRows) !== 1) throw new CommitFailedError(`Commit failed: table ${displayNamespace(namespace.levels)}.${row.name} was changed concurrently`);
      await publishCommitted(tx, platform, warehouse, namespace, row, written.location, metadata['current-snapshot-id'], change.updates, actor);
    }
    let obsolete: string[] = [];
    if (base && row && metadata.properties[DELETE_AFTER_COMMIT] === 'true') {
      const kept = new Set(metadata['metadata-log'].map((e) => e['metadata-file']));
      obsolete = [...base['metadata-log'].map((e) => e['metadata-file']), row.metadata_location].filter((f) => !kept.has(f));
    }
    results.push({ metadataLocation: written.location, metadataText: written.text, obsoleteMetadataFiles: obsolete });
  }
  return results;
}

async function publishCommitted(tx: Tx, platform: Platform, warehouse: WarehouseRow, namespace: NamespaceRow, row: CatalogObject, location: string, snapshotId: unknown, updates: TableUpdateValue[], actor: Actor) {
  await platform.outbox.publish(tx, {
    type: CatalogEvents.tableCommitted,
    subject: `catalog/${warehouse.name}/tables/${row.id}`,
    data: {
      warehouse: warehouse.name,
      namespace: namespace.levels,
      name: row.name,
      uuid: row.id,
      metadataLocation: location,
      previousMetadataLocation: row.metadata_location,
      currentSnapshotId: snapshotIdString(snapshotId),
      updates: updates.map((u) => u.action),
      actor: actor.name,
    },
  });
}
