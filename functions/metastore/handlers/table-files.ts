import { mkdir, rename, stat } from 'node:fs/promises';
import type { WarehouseRow } from '../../../shared/db/index.js';
import { childLocation, LocationOutsideError, objectStoreFor, StorageRoot, UnsafeLocationError, type StoragePath } from '../../../shared/storage/index.js';
import { invalidOperation, metaError } from '../metastore-errors.js';

/*
 * The files of metastore tables. Every location a client names is checked to lie inside the connection's
 * warehouse, as Iceberg locations are: elsewhere would reach data the warehouse's grants do not cover. Files are
 * only touched after the metadata committed (handlers/call-context.ts).
 */

export function warehouseRootOf(warehouse: WarehouseRow): StorageRoot {
  return new StorageRoot(warehouse.storage_location);
}

/** The checked path of a location, or the MetaException saying why it is refused. */
export function checkedPath(warehouse: WarehouseRow, location: string, what: string): StoragePath {
  try {
    return warehouseRootOf(warehouse).resolve(location);
  } catch (err) {
    if (err instanceof LocationOutsideError) throw metaError(`${what} ${location} is outside warehouse ${warehouse.name} (${warehouse.storage_location})`);
    if (err instanceof UnsafeLocationError) throw metaError(`${what} ${JSON.stringify(location)} ${err.reason}`);
    throw err;
  }
}

export function childOf(location: string, ...parts: string[]): string {
  return childLocation(location, ...parts);
}

/** A table's or partition's folder exists from its creation on, as Hive's metastore makes it (S3 has no folders). */
export async function ensureFolder(path: StoragePath): Promise<void> {
  if (path.scheme === 'file') await mkdir(path.key, { recursive: true });
}

/** Deletes the files at and under each path (a managed table's or partition's data). */
export async function deleteFiles(warehouse: WarehouseRow, paths: readonly StoragePath[]): Promise<void> {
  if (paths.length === 0) return;
  const store = await objectStoreFor({
    id: warehouse.id,
    name: warehouse.name,
    storageLocation: warehouse.storage_location,
    storage: warehouse.storage as { region?: string; endpoint?: string; pathStyleAccess?: boolean },
    credentialsRef: warehouse.credentials_ref,
  });
  for (const p of paths) await store.deletePrefix(p);
}

/**
 * Checks, before the commit, that a managed table's folder can be moved as a rename wants (Hive moves it): the
 * destination must be free. Only local warehouses: on S3 a move is a copy of every object, not built yet.
 */
export async function checkFolderMove(from: StoragePath, to: StoragePath): Promise<void> {
  if (from.scheme !== 'file')
    throw invalidOperation(
      `renaming a managed table moves its files; on ${from.scheme} storage that is not supported yet (rename an external table, or copy the data)`,
    );
  if (await exists(to.key)) throw invalidOperation(`New location for this table ${to.location} already exists : ${to.location}`);
}

export async function moveFolder(from: StoragePath, to: StoragePath): Promise<void> {
  if (!(await exists(from.key))) return;
  await mkdir(to.key.slice(0, to.key.lastIndexOf('/')) || '/', { recursive: true });
  await rename(from.key, to.key);
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
