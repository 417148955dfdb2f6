import { CompiledQuery } from 'kysely';
import { prepareStatement, type Executor, type WarehouseRow } from '../../../shared/db/index.js';

/** What the caller already holds of a table's metadata: its row id, version and metadata location. */
export interface KnownMetadata {
  id: string;
  version: number;
  location: string;
}

/** loadTable's row: the table's pointer, its warehouse, and the metadata text unless the caller holds it already. */
export interface TableForRead {
  id: string;
  kind: 'table' | 'view';
  metadata_location: string;
  version: number;
  /** Null when the row still is the caller's `known` (same id, version and metadata location). */
  metadata: string | null;
  warehouse_id: string;
  warehouse_name: string;
  storage_location: string;
  storage: WarehouseRow['storage'];
  credentials_ref: string | null;
  credential_vending: WarehouseRow['credential_vending'];
  sts: WarehouseRow['sts'];
  remote_signing: WarehouseRow['remote_signing'];
  warehouse_properties: WarehouseRow['properties'];
}

interface TableReadRequest {
  prefix: string;
  levels: readonly string[];
  name: string;
  known: KnownMetadata | undefined;
}

// Every lookup of a batch is one element of a JSON parameter; each is looked up by its own keys (the LIMIT keeps the
// subquery lateral, so PostgreSQL walks the unique indexes per element instead of planning a join over whole
// tables for the 100 elements it guesses). The metadata text comes back only when it is not the one the caller
// holds: PostgreSQL then neither detoasts nor sends it (null `known` compares as unknown, so the text comes back).
// Fixed text, prepared: planned once per connection whatever the batch's size.
const TABLES_FOR_READ = `select k.i::integer as i, t.*
from jsonb_array_elements($1::jsonb) with ordinality as k(e, i)
cross join lateral (
  select o.id, o.kind, o.metadata_location, o.version, w.id as warehouse_id, w.name as warehouse_name, w.storage_location,
    w.storage, w.credentials_ref, w.credential_vending, w.sts, w.remote_signing, w.properties as warehouse_properties,
    case when o.id = (k.e->>'knownId')::uuid and o.version = (k.e->>'knownVersion')::integer and o.metadata_location = k.e->>'knownLocation'
      then null else o.metadata end as metadata
  from warehouses as w
  inner join namespaces as n on n.warehouse_id = w.id
  inner join catalog_objects as o on o.namespace_id = n.id and o.warehouse_id = w.id
  where w.name = k.e->>'prefix'
    and n.levels = array(select l from jsonb_array_elements_text(k.e->'levels') with ordinality as x(l, p) order by p)
    and o.name = k.e->>'name'
  limit 1
) as t`;
prepareStatement(TABLES_FOR_READ);

async function readTables(db: Executor, requests: readonly TableReadRequest[]): Promise<Array<TableForRead | undefined>> {
  // Only these fields: the caller's `known` is the cached entry, metadata text (and a key with NULs) included.
  const param = JSON.stringify(
    requests.map((r) => ({
      prefix: r.prefix,
      levels: r.levels,
      name: r.name,
      knownId: r.known?.id,
      knownVersion: r.known?.version,
      knownLocation: r.known?.location,
    })),
  );
  const { rows } = await db.executeQuery<TableForRead & { i: number }>(CompiledQuery.raw(TABLES_FOR_READ, [param]));
  const found = new Array<TableForRead | undefined>(requests.length);
  for (const { i, ...row } of rows) found[i - 1] = row;
  return found;
}

/** A batch goes out once it holds this many lookups, whether or not the event loop's turn is over. */
const MAX_BATCH = 64;

interface Waiting {
  request: TableReadRequest;
  resolve: (row: TableForRead | undefined) => void;
  reject: (err: unknown) => void;
}

/**
 * Collects the loadTable lookups of one event-loop turn and sends them as one query. Under load the loop takes the
 * requests of several connections per turn (4-5 at 10 connections in bench/catalog.ts), and on this kind of VM each
 * write to PostgreSQL's socket cost the server ~70 µs, about a fifth of a load; batched, a load pays a share of one
 * write, and PostgreSQL plans, locks and answers once. A lookup still starts after its request arrived, so a commit
 * that answered before it (through any replica) is in its answer. One per process, on its database: the catalog's
 * context holds it (catalog-context.ts).
 */
export class TableReadBatcher {
  private waiting: Waiting[] = [];
  private scheduled = false;
  /** Batches sent and not answered yet: close() waits for them, so the database is not closed under them. */
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly db: Executor) {}

  /**
   * The fast path of loadTable: the warehouse, namespace and table in one lookup, batched with the other loads of
   * the same turn. `metadata` is null when the row still is `known`. On a transaction (or any executor but the
   * batcher's own) it runs alone, on that executor.
   */
  async find(db: Executor, prefix: string, levels: readonly string[], name: string, known?: KnownMetadata): Promise<TableForRead | undefined> {
    const request = { prefix, levels, name, known };
    if (db !== this.db) return (await readTables(db, [request]))[0];
    return this.read(request);
  }

  /** Sends what waits, and waits for every batch sent. */
  async close(): Promise<void> {
    this.flush();
    await Promise.all(this.inFlight);
  }

  private read(request: TableReadRequest): Promise<TableForRead | undefined> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ request, resolve, reject });
      if (this.waiting.length >= MAX_BATCH) this.flush();
      else if (!this.scheduled) {
        this.scheduled = true;
        // setImmediate, not a microtask: it runs after the poll phase has handed over every request that was ready.
        setImmediate(() => {
          this.scheduled = false;
          this.flush();
        });
      }
    });
  }

  private flush(): void {
    const batch = this.waiting;
    if (batch.length === 0) return;
    this.waiting = [];
    const sent = readTables(
      this.db,
      batch.map((w) => w.request),
    ).then(
      (rows) => batch.forEach((w, i) => w.resolve(rows[i])),
      (err: unknown) => batch.forEach((w) => w.reject(err)),
    );
    this.inFlight.add(sent);
    void sent.finally(() => this.inFlight.delete(sent));
  }
}
