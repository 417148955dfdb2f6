import type { Executor, WarehouseRow, WarehouseStsSettings } from '../../../shared/db/index.js';
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
export type WarehouseRef = Pick<WarehouseRow, 'id' | 'name' | 'storage_location' | 'storage' | 'credentials_ref' | 'credential_vending' | 'sts' | 'remote_signing' | 'properties'>;

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
  if (!row) throw new NoSuchWarehouseError(`Warehouse ${name} does not exist`);
  return row;
}
