import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { withDatabaseErrors, type Executor, type WarehouseRow, type WarehouseStsSettings } from '../../../shared/db/index.js';
import { NoSuchWarehouseError } from '../../../shared/errors/index.js';
import type { S3Settings } from '../../../shared/storage/index.js';

export interface WarehouseSummary {
  id: string;
  name: string;
  storageLocation: string;
  storage: Pick<S3Settings, 'region' | 'endpoint' | 'pathStyleAccess'>;
  credentialsRef: string | null;
  credentialVending: WarehouseRow['credential_vending'];
  /** credentialVending sts: the role vended credentials are assumed from. */
  sts: WarehouseStsSettings | null;
  /** Whether the catalog signs clients' S3 requests for them (X-Iceberg-Access-Delegation: remote-signing). */
  remoteSigning: boolean;
  properties: Record<string, string>;
}

/** The columns of a warehouse that locate its files and reach its store. */
export type WarehouseRef = Pick<
  WarehouseRow,
  'id' | 'name' | 'storage_location' | 'storage' | 'credentials_ref' | 'credential_vending' | 'sts' | 'remote_signing' | 'properties'
>;

export function toWarehouseSummary(row: WarehouseRef): WarehouseSummary {
  return {
    id: row.id,
    name: row.name,
    storageLocation: row.storage_location,
    storage: row.storage as WarehouseSummary['storage'],
    credentialsRef: row.credentials_ref,
    credentialVending: row.credential_vending,
    sts: row.sts,
    remoteSigning: row.remote_signing,
    properties: row.properties,
  };
}

export async function findWarehouse(db: Executor, name: string): Promise<WarehouseRow | undefined> {
  return db.selectFrom('warehouses').selectAll().where('name', '=', name).executeTakeFirst();
}

export async function requireWarehouse(db: Executor, name: string): Promise<WarehouseRow> {
  const row = await findWarehouse(db, name);
  if (!row) throw noSuchWarehouse(name);
  return row;
}

export function noSuchWarehouse(name: string): NoSuchWarehouseError {
  return new NoSuchWarehouseError(`Warehouse ${name} does not exist`);
}

/** A warehouse as the platform API answers it. */
export interface Warehouse {
  id: string;
  name: string;
  storageLocation: string;
  storage: Record<string, unknown>;
  credentialsRef: string | null;
  credentialVending: WarehouseRow['credential_vending'];
  sts: WarehouseStsSettings | null;
  remoteSigning: boolean;
  properties: Record<string, string>;
  description: string | null;
  owner: string | null;
  tags: string[];
  version: number;
  createdAt: string;
  updatedAt: string;
}

export function toWarehouse(row: WarehouseRow): Warehouse {
  return {
    id: row.id,
    name: row.name,
    storageLocation: row.storage_location,
    storage: row.storage,
    credentialsRef: row.credentials_ref,
    credentialVending: row.credential_vending,
    sts: row.sts,
    remoteSigning: row.remote_signing,
    properties: row.properties,
    description: row.description,
    owner: row.owner,
    tags: row.tags,
    version: row.version,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

/** A new warehouse: its location and storage settings already checked. */
export interface NewWarehouse {
  name: string;
  storageLocation: string;
  storage: Record<string, unknown>;
  credentialsRef: string | null;
  credentialVending: WarehouseRow['credential_vending'];
  sts: WarehouseStsSettings | null;
  remoteSigning: boolean;
  properties: Record<string, string>;
  description: string | null;
  owner: string | null;
  tags: string[];
}

/** A change of a warehouse's settings: the credential settings are always written (as checked together), the rest when named. */
export interface WarehouseChange {
  credentialsRef: string | null;
  credentialVending: WarehouseRow['credential_vending'];
  sts: WarehouseStsSettings | null;
  remoteSigning: boolean;
  storage?: Record<string, unknown>;
  properties?: Record<string, string>;
  description?: string | null;
  owner?: string | null;
  /** Tags and their attributes change together. */
  tags?: { tags: string[]; attributes: Record<string, Record<string, string>> };
}

/** Warehouse administration: names are unique (a clash is a 409); a warehouse holding namespaces or owed purges stays. */
export interface WarehouseStore {
  create(warehouse: NewWarehouse): Promise<Warehouse>;
  /** Warehouses by name, after `after`, at most `limit`. */
  list(after: string | undefined, limit: number): Promise<Warehouse[]>;
  /** The warehouse as it is, locked (FOR UPDATE) for the rest of the transaction. */
  lock(name: string): Promise<WarehouseRow | undefined>;
  update(id: string, change: WarehouseChange): Promise<Warehouse>;
  /** A namespace it still holds, if any. */
  anyNamespace(id: string): Promise<{ levels: string[] } | undefined>;
  /** A purge it still owes, if any. */
  anyPurge(id: string): Promise<{ object_name: string; last_error: string | null } | undefined>;
  delete(id: string): Promise<void>;
}

/** The PostgreSQL store (PGlite runs the same SQL). */
export function warehouseStore(db: Executor): WarehouseStore {
  return {
    async create(w) {
      const row = await withDatabaseErrors(`warehouse ${w.name}`, () =>
        db
          .insertInto('warehouses')
          .values({
            id: randomUUID(),
            name: w.name,
            storage_location: w.storageLocation,
            storage: JSON.stringify(w.storage),
            credentials_ref: w.credentialsRef,
            credential_vending: w.credentialVending,
            sts: w.sts ? JSON.stringify(w.sts) : null,
            remote_signing: w.remoteSigning,
            properties: JSON.stringify(w.properties),
            description: w.description,
            owner: w.owner,
            tags: w.tags,
            updated_at: new Date(),
          })
          .returningAll()
          .executeTakeFirstOrThrow(),
      );
      return toWarehouse(row);
    },
    async list(after, limit) {
      let q = db.selectFrom('warehouses').selectAll().orderBy('name').limit(limit);
      if (after !== undefined) q = q.where('name', '>', after);
      return (await q.execute()).map(toWarehouse);
    },
    async lock(name) {
      return db.selectFrom('warehouses').selectAll().where('name', '=', name).forUpdate().executeTakeFirst();
    },
    async update(id, change) {
      const row = await db
        .updateTable('warehouses')
        .set({
          ...(change.storage !== undefined ? { storage: JSON.stringify(change.storage) } : {}),
          credentials_ref: change.credentialsRef,
          credential_vending: change.credentialVending,
          sts: change.sts ? JSON.stringify(change.sts) : null,
          remote_signing: change.remoteSigning,
          ...(change.properties !== undefined ? { properties: JSON.stringify(change.properties) } : {}),
          ...(change.description !== undefined ? { description: change.description } : {}),
          ...(change.owner !== undefined ? { owner: change.owner } : {}),
          ...(change.tags !== undefined ? { tags: change.tags.tags, tag_attributes: JSON.stringify(change.tags.attributes) } : {}),
          updated_at: new Date(),
          version: sql`version + 1`,
        })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow();
      return toWarehouse(row);
    },
    async anyNamespace(id) {
      return db.selectFrom('namespaces').select('levels').where('warehouse_id', '=', id).limit(1).executeTakeFirst();
    },
    async anyPurge(id) {
      return db.selectFrom('catalog_purge_tasks').select(['object_name', 'last_error']).where('warehouse_id', '=', id).limit(1).executeTakeFirst();
    },
    async delete(id) {
      await db.deleteFrom('warehouses').where('id', '=', id).execute();
    },
  };
}
