import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { sql } from 'kysely';
import { withDatabaseErrors, type Executor, type WarehouseRow, type WarehouseStsSettings } from '../../../shared/db/index.js';
import { ConflictError, ValidationError } from '../../../shared/errors/index.js';
import type { Platform } from '../../../shared/platform/index.js';
import { StorageRoot, UnsafeLocationError, locationScheme } from '../../../shared/storage/index.js';
import { nextTagAttributes } from '../domain/annotations.js';
import type { CreateWarehouseBodyValue, UpdateWarehouseBodyValue } from '../schemas/warehouse-schemas.js';
import { resolveCredentials } from '../storage/warehouse-storage.js';
import { requireWarehouse } from '../store/warehouses.js';

export function toWarehouse(row: WarehouseRow) {
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

/** Embedded mode keeps warehouses beside its database unless told otherwise. */
function defaultLocation(platform: Platform, name: string): string {
  const dir = platform.config.LAKEPLANE_DATA_DIR;
  if (dir.startsWith('memory://')) {
    throw new ValidationError([{ in: 'body', field: 'storageLocation', message: 'is required: the data directory is in memory, so there is no default warehouse location' }]);
  }
  return pathToFileURL(path.resolve(dir, 'warehouses', name)).href;
}

function checkStorage(location: string, credentialsRef: string | null | undefined, vending: string | undefined, sts: WarehouseStsSettings | null | undefined, remoteSigning = false): void {
  const scheme = locationScheme(location);
  try {
    new StorageRoot(location);
  } catch (err) {
    // Every location of the warehouse is resolved against this one: it must be as unambiguous as they are.
    if (err instanceof UnsafeLocationError) throw new ValidationError([{ in: 'body', field: 'storageLocation', message: `${JSON.stringify(location)} ${err.reason}` }]);
    throw err;
  }
  if (remoteSigning && scheme !== 's3') throw new ValidationError([{ in: 'body', field: 'remoteSigning', message: 'remote signing needs an s3:// warehouse; a local one has no requests to sign' }]);
  if (remoteSigning && !credentialsRef) throw new ValidationError([{ in: 'body', field: 'credentialsRef', message: 'is required when remoteSigning is true: requests are signed with the keys it names' }]);
  if (scheme === 'file' && !/^file:\/(\/\/)?[^/]/.test(location)) throw new ValidationError([{ in: 'body', field: 'storageLocation', message: 'must be an absolute file:/// location' }]);
  if (scheme === 'file' && (vending === 'static' || vending === 'sts')) throw new ValidationError([{ in: 'body', field: 'credentialVending', message: `${vending} vending needs an s3:// warehouse; a local one has no credentials to vend` }]);
  // The keys that call STS may also come from the SDK's default chain (a pod's web identity), so credentialsRef is
  // not required here; the role is.
  if (vending === 'sts' && !sts) throw new ValidationError([{ in: 'body', field: 'sts', message: 'is required when credentialVending is sts: name the role to assume (sts.roleArn)' }]);
  if (vending === 'static' && !credentialsRef) throw new ValidationError([{ in: 'body', field: 'credentialsRef', message: 'is required when credentialVending is static' }]);
  if (credentialsRef) {
    try {
      resolveCredentials(credentialsRef);
    } catch (err) {
      throw new ValidationError([{ in: 'body', field: 'credentialsRef', message: (err as Error).message }]);
    }
  }
}

export async function createWarehouse(platform: Platform, body: CreateWarehouseBodyValue) {
  const location = (body.storageLocation ?? defaultLocation(platform, body.name)).replace(/\/+$/, '');
  checkStorage(location, body.credentialsRef, body.credentialVending, body.sts, body.remoteSigning);
  const row = await withDatabaseErrors(`warehouse ${body.name}`, () =>
    platform.store.db
      .insertInto('warehouses')
      .values({
        id: randomUUID(),
        name: body.name,
        storage_location: location,
        storage: JSON.stringify(body.storage ?? {}),
        credentials_ref: body.credentialsRef ?? null,
        credential_vending: body.credentialVending ?? 'none',
        sts: body.sts ? JSON.stringify(body.sts) : null,
        remote_signing: body.remoteSigning ?? false,
        properties: JSON.stringify(body.properties ?? {}),
        description: body.description ?? null,
        owner: body.owner ?? null,
        tags: body.tags ?? [],
        updated_at: new Date(),
      })
      .returningAll()
      .executeTakeFirstOrThrow(),
  );
  return toWarehouse(row);
}

export async function listWarehouses(db: Executor, pageSize: number, pageToken: string | undefined) {
  let after: string | undefined;
  if (pageToken !== undefined) {
    try {
      after = (JSON.parse(Buffer.from(pageToken, 'base64url').toString('utf8')) as { after: string }).after;
    } catch {
      after = undefined;
    }
    if (typeof after !== 'string') throw new ValidationError([{ in: 'query', field: 'pageToken', message: 'is not a page token this API issued' }]);
  }
  let q = db.selectFrom('warehouses').selectAll().orderBy('name').limit(pageSize + 1);
  if (after !== undefined) q = q.where('name', '>', after);
  const rows = await q.execute();
  const more = rows.length > pageSize;
  const items = (more ? rows.slice(0, pageSize) : rows).map(toWarehouse);
  return { items, nextPageToken: more ? Buffer.from(JSON.stringify({ after: items[items.length - 1]!.name })).toString('base64url') : null };
}

export async function updateWarehouse(platform: Platform, name: string, body: UpdateWarehouseBodyValue) {
  return platform.store.db.transaction().execute(async (tx) => {
    const current = await tx.selectFrom('warehouses').selectAll().where('name', '=', name).forUpdate().executeTakeFirst();
    if (!current) await requireWarehouse(tx, name);
    const row = current!;
    const credentialsRef = body.credentialsRef === undefined ? row.credentials_ref : body.credentialsRef;
    const vending = body.credentialVending ?? row.credential_vending;
    const sts = body.sts === undefined ? row.sts : body.sts;
    const remoteSigning = body.remoteSigning ?? row.remote_signing;
    checkStorage(row.storage_location, credentialsRef, vending, sts, remoteSigning);
    const updated = await tx
      .updateTable('warehouses')
      .set({
        ...(body.storage !== undefined ? { storage: JSON.stringify(body.storage) } : {}),
        credentials_ref: credentialsRef,
        credential_vending: vending,
        sts: sts ? JSON.stringify(sts) : null,
        remote_signing: remoteSigning,
        ...(body.properties !== undefined ? { properties: JSON.stringify(body.properties) } : {}),
        ...(body.description !== undefined ? { description: body.description } : {}),
        ...(body.owner !== undefined ? { owner: body.owner } : {}),
        // A tag that goes takes its attributes with it (kept ones keep theirs), as the discovery API does.
        ...(body.tags !== undefined ? { tags: body.tags, tag_attributes: JSON.stringify(nextTagAttributes(row.tag_attributes, body.tags, {})) } : {}),
        updated_at: new Date(),
        version: sql`version + 1`,
      })
      .where('id', '=', row.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    return toWarehouse(updated);
  });
}

/** A warehouse goes only when empty; its files are never deleted by this (they may be shared or archived). */
export async function deleteWarehouse(platform: Platform, name: string): Promise<void> {
  await platform.store.db.transaction().execute(async (tx) => {
    const row = await requireWarehouse(tx, name);
    const ns = await tx.selectFrom('namespaces').select('levels').where('warehouse_id', '=', row.id).limit(1).executeTakeFirst();
    if (ns) throw new ConflictError(`warehouse ${name} is not empty: it still holds namespace ${ns.levels.join('.')}; drop its namespaces first`);
    const purges = await tx.selectFrom('catalog_purge_tasks').select(['object_name', 'last_error']).where('warehouse_id', '=', row.id).limit(1).executeTakeFirst();
    if (purges) throw new ConflictError(`warehouse ${name} still owes the purge of ${purges.object_name} (last error: ${purges.last_error ?? 'none yet'}); it is retried until its files are gone`);
    await tx.deleteFrom('warehouses').where('id', '=', row.id).execute();
  });
}

