import type { Executor, WarehouseRow } from '../../../shared/db/index.js';

/** What /v1/config tells a client of its warehouse. */
export type ConfigWarehouse = Pick<WarehouseRow, 'name' | 'storage_location' | 'credential_vending' | 'remote_signing'>;

const COLUMNS = ['name', 'storage_location', 'credential_vending', 'remote_signing'] as const;

/** The warehouse of that name, or else of that storage location (trailing slashes aside). */
export async function findWarehouseByNameOrLocation(db: Executor, requested: string): Promise<ConfigWarehouse | undefined> {
  return db
    .selectFrom('warehouses')
    .select(COLUMNS)
    .where((eb) => eb.or([eb('name', '=', requested), eb('storage_location', '=', requested.replace(/\/+$/, ''))]))
    .executeTakeFirst();
}

/** The first warehouses by name, at most `limit`. */
export async function firstWarehouses(db: Executor, limit: number): Promise<ConfigWarehouse[]> {
  return db.selectFrom('warehouses').select(COLUMNS).orderBy('name').limit(limit).execute();
}
