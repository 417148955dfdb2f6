import { CompiledQuery } from 'kysely';
import { prepareStatement, type Executor, type NamespaceRow, type Tx } from '../../../shared/db/index.js';
import type { OutboxRowValues } from '../../../shared/events/index.js';
import type { KnownMetadata } from './table-read-batch.js';
import type { WarehouseRef } from './warehouses.js';

/** A table's pointer as a commit reads it, without a lock. */
export interface TablePointer {
  id: string;
  kind: 'table' | 'view';
  name: string;
  metadata_location: string;
  version: number;
  /** Null when the row still is the caller's `known` (same id, version and metadata location). */
  metadata: string | null;
}

export interface CommitTarget {
  warehouse: WarehouseRef;
  /** The warehouse row's version: a swap checks it, so no commit lands with storage settings that changed. */
  warehouseVersion: number;
  namespace: Pick<NamespaceRow, 'id' | 'levels'>;
  /** The table or view of that name, if there is one. */
  object: TablePointer | undefined;
}

// Warehouse, namespace and object in one round trip; the object by a left join, so a create finds its namespace.
// The metadata text comes back only when the caller does not hold it already (a commit base kept in the process).
const TABLE_FOR_COMMIT = `select w.id as warehouse_id, w.name as warehouse_name, w.storage_location, w.storage, w.credentials_ref,
  w.credential_vending, w.sts, w.remote_signing, w.properties as warehouse_properties, w.version as warehouse_version,
  n.id as namespace_id, n.levels,
  o.id, o.kind, o.name, o.metadata_location, o.version,
  case when o.id = $4::uuid and o.version = $5::integer and o.metadata_location = $6 then null else o.metadata end as metadata
from warehouses as w
inner join namespaces as n on n.warehouse_id = w.id
  and n.levels = array(select l from jsonb_array_elements_text($2::jsonb) with ordinality as x(l, p) order by p)
left join catalog_objects as o on o.namespace_id = n.id and o.name = $3
where w.name = $1`;
prepareStatement(TABLE_FOR_COMMIT);

interface TableForCommitRow {
  warehouse_id: string;
  warehouse_name: string;
  storage_location: string;
  storage: WarehouseRef['storage'];
  credentials_ref: string | null;
  credential_vending: WarehouseRef['credential_vending'];
  sts: WarehouseRef['sts'];
  remote_signing: WarehouseRef['remote_signing'];
  warehouse_properties: WarehouseRef['properties'];
  warehouse_version: number;
  namespace_id: string;
  levels: string[];
  id: string | null;
  kind: 'table' | 'view' | null;
  name: string | null;
  metadata_location: string | null;
  version: number | null;
  metadata: string | null;
}

/**
 * What a commit starts from: the warehouse, the namespace and the table's current pointer, read without a lock (the
 * commit swaps the pointer later only if it is still this one). Undefined when the warehouse or namespace is missing.
 */
export async function findTableForCommit(
  db: Executor,
  prefix: string,
  levels: readonly string[],
  name: string,
  known?: KnownMetadata,
): Promise<CommitTarget | undefined> {
  const { rows } = await db.executeQuery<TableForCommitRow>(
    CompiledQuery.raw(TABLE_FOR_COMMIT, [prefix, JSON.stringify(levels), name, known?.id ?? null, known?.version ?? null, known?.location ?? null]),
  );
  const r = rows[0];
  if (!r) return undefined;
  const warehouse: WarehouseRef = {
    id: r.warehouse_id,
    name: r.warehouse_name,
    storage_location: r.storage_location,
    storage: r.storage,
    credentials_ref: r.credentials_ref,
    credential_vending: r.credential_vending,
    sts: r.sts,
    remote_signing: r.remote_signing,
    properties: r.warehouse_properties,
  };
  const object =
    r.id === null ? undefined : { id: r.id, kind: r.kind!, name: r.name!, metadata_location: r.metadata_location!, version: r.version!, metadata: r.metadata };
  return { warehouse, warehouseVersion: r.warehouse_version, namespace: { id: r.namespace_id, levels: r.levels }, object };
}

// The compare-and-set of a commit and its event in one statement: the outbox row is written only if the pointer
// still was the one the commit was built on (same metadata location and version) and the warehouse's settings the
// ones its file was written with, so a lost race writes nothing.
const SWAP_POINTER = `with swapped as (
  update catalog_objects set metadata_location = $3, metadata = $4, updated_at = $5, version = version + 1
  where id = $1::uuid and metadata_location = $2 and version = $6::integer
    and exists (select 1 from warehouses where id = $13::uuid and version = $14::integer)
  returning id
)
insert into outbox (id, source, type, subject, time, data, next_attempt_at)
select $7::uuid, $8, $9, $10, $11::timestamptz, $12::jsonb, $11::timestamptz from swapped
returning id`;
prepareStatement(SWAP_POINTER);

export interface PointerSwap {
  id: string;
  expectedLocation: string;
  expectedVersion: number;
  warehouseId: string;
  warehouseVersion: number;
  location: string;
  metadata: string;
}

/**
 * Points a table at its new metadata file if it still points where the commit expected, and writes the commit's
 * event with it. False when another change got there first: nothing was written. In a transaction the row stays
 * locked until it ends; on its own the statement commits by itself, both writes or neither.
 */
export async function swapTablePointer(db: Executor, swap: PointerSwap, event: OutboxRowValues): Promise<boolean> {
  const { rows } = await db.executeQuery(
    CompiledQuery.raw(SWAP_POINTER, [
      swap.id,
      swap.expectedLocation,
      swap.location,
      swap.metadata,
      new Date(),
      swap.expectedVersion,
      event.id,
      event.source,
      event.type,
      event.subject,
      event.time,
      JSON.stringify(event.data),
      swap.warehouseId,
      swap.warehouseVersion,
    ]),
  );
  return rows.length === 1;
}

const HOLD_POINTER = `select metadata from catalog_objects where id = $1::uuid and metadata_location = $2 and version = $3::integer for share`;

/**
 * For a table a commit asserts things of but does not change: its metadata text if it still points where the
 * commit expected, and then it stays so (a shared row lock) until the transaction ends; undefined if it moved.
 */
export async function holdTablePointer(tx: Tx, id: string, expectedLocation: string, expectedVersion: number): Promise<string | undefined> {
  const { rows } = await tx.executeQuery<{ metadata: string }>(CompiledQuery.raw(HOLD_POINTER, [id, expectedLocation, expectedVersion]));
  return rows[0]?.metadata;
}

/** The metadata location a table points at now (undefined if it is gone). */
export async function currentMetadataLocation(db: Executor, id: string): Promise<string | undefined> {
  const row = await db.selectFrom('catalog_objects').select('metadata_location').where('id', '=', id).executeTakeFirst();
  return row?.metadata_location;
}
