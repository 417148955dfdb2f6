import { createHash, randomUUID } from 'node:crypto';
import type { NamespaceRow, WarehouseRow } from '../../../shared/db/index.js';
import { BadRequestError } from '../../../shared/errors/index.js';
import { parseJsonLossless, stringifyJsonLossless, RawJson } from '../../../shared/json/index.js';
import type { Platform } from '../../../shared/platform/index.js';
import { StorageNotFoundError, childLocation, type StoragePath } from '../../../shared/storage/index.js';
import { pathSegment } from '../domain/identifiers.js';
import { metadataFileLocation, nextMetadataVersion } from '../domain/metadata-files.js';
import { tableMetadataDocument, withReferencedSnapshotsOnly, type TableMetadata } from '../domain/table-metadata.js';
import { parseTableMetadata } from '../domain/table-metadata-parser.js';
import { pathIfInside, warehousePath, type LocationField } from '../storage/warehouse-paths.js';
import { objectStoreFor, type ClientStorage } from '../storage/warehouse-storage.js';
import { requireWarehouse, toWarehouseSummary, type WarehouseRef } from '../store/warehouses.js';

/** The namespace property that names where its tables and views go by default (as Hive's and Spark's catalogs). */
export const NAMESPACE_LOCATION = 'location';

/**
 * Where a namespace's objects go when they name no location: its `location` property if set, else a folder of the
 * warehouse named by its levels. Always shown among its properties: engines such as Trino derive a table's location
 * from it and otherwise fall back to creating the table before writing, which they then refuse as non-empty.
 */
export function namespaceLocation(warehouse: WarehouseRow, namespace: Pick<NamespaceRow, 'levels' | 'properties'>): string {
  const own = namespace.properties[NAMESPACE_LOCATION];
  return own ? own.replace(/\/+$/, '') : childLocation(warehouse.storage_location, ...namespace.levels.map(pathSegment));
}

/** A table's or view's own folder when the client names none: readable, and unique even after drop and re-create. */
export function defaultObjectLocation(warehouse: WarehouseRow, namespace: Pick<NamespaceRow, 'levels' | 'properties'>, name: string, uuid: string): string {
  return childLocation(namespaceLocation(warehouse, namespace), `${pathSegment(name)}-${uuid.replace(/-/g, '')}`);
}

/**
 * Tables live inside their warehouse: a location elsewhere would reach data the warehouse's grants do not cover
 * (403), and one a reader could take for another place is refused (400). Returns the checked path.
 */
export function checkLocationInWarehouse(
  warehouse: Pick<WarehouseRow, 'name' | 'storage_location'>,
  location: string,
  field: LocationField | string,
): StoragePath {
  return warehousePath({ name: warehouse.name, storageLocation: warehouse.storage_location }, location, field);
}

/** Table and view properties that name where engines (or the catalog) write and a purge deletes. */
export const PATH_PROPERTIES = ['write.data.path', 'write.metadata.path', 'write.object-storage.path', 'write.folder-storage.path'] as const;

/**
 * Checks an object's location and path properties that are new or changed against `base` (those of an object
 * registered or created before the checks existed are left to the checks at each read, write and delete).
 */
export function checkObjectLocations(
  warehouse: Pick<WarehouseRow, 'name' | 'storage_location'>,
  metadata: { location: string; properties: Record<string, string> },
  base: { location: string; properties: Record<string, string> } | null,
  locationField: LocationField | string = 'location',
): void {
  if (!base || metadata.location !== base.location) checkLocationInWarehouse(warehouse, metadata.location, locationField);
  for (const key of PATH_PROPERTIES) {
    const value = metadata.properties[key];
    if (value !== undefined && value !== base?.properties[key])
      checkLocationInWarehouse(warehouse, value, { in: 'body', field: `properties.${key}`, label: `property ${key}` });
  }
}

/** The top-level arrays that grow with every commit: their elements' text is kept (see metadataText). */
const GROWING = new Set(['snapshots', 'snapshot-log', 'metadata-log']);
// A value cache, not the catalog's state (catalog-context.ts): the text of an object that never changes, going with it.
const elementTexts = new WeakMap<object, string>();

/**
 * The metadata document as JSON text: exactly stringifyJsonLossless(tableMetadataDocument(m)), but the text of each
 * snapshot and log entry is kept once made. Those objects never change once in a table's metadata (the builder adds
 * and removes them, and shares the rest with the next version), and they are most of a busy table's document:
 * serializing 300 snapshots again on every commit was milliseconds of each.
 */
export function metadataText(m: TableMetadata): string {
  let text = '{';
  for (const [key, value] of Object.entries(tableMetadataDocument(m))) {
    if (value === undefined) continue;
    if (text.length > 1) text += ',';
    text += `${JSON.stringify(key)}:${GROWING.has(key) && Array.isArray(value) ? arrayText(value) : stringifyJsonLossless(value)}`;
  }
  return text + '}';
}

function arrayText(values: unknown[]): string {
  let text = '[';
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (i > 0) text += ',';
    if (v === null || typeof v !== 'object') {
      text += stringifyJsonLossless(v);
      continue;
    }
    let t = elementTexts.get(v);
    if (t === undefined) elementTexts.set(v, (t = stringifyJsonLossless(v)));
    text += t;
  }
  return text + ']';
}

export function readStoredMetadata(text: string): TableMetadata {
  return parseTableMetadata(parseJsonLossless(text));
}

/** Writes the next metadata file of a table (NNNNN-uuid.metadata.json); never replaces an existing file. */
export async function writeTableMetadata(
  warehouse: WarehouseRef,
  m: TableMetadata,
  previousLocation: string | null,
): Promise<{ location: string; text: string }> {
  const text = metadataText(m);
  const version = nextMetadataVersion(previousLocation, m['metadata-log'].length);
  const location = metadataFileLocation(m.location, m.properties, version, randomUUID());
  const path = checkLocationInWarehouse(warehouse, location, { in: 'body', field: 'metadata location' });
  await (await objectStoreFor(toWarehouseSummary(warehouse))).writeNew(path, text);
  return { location, text };
}

/**
 * Old metadata files a commit let go of; best effort, after the commit, as Iceberg's own catalogs do. The metadata
 * log can come from a registered file, so each one is checked like any client-named location and skipped if it is
 * not inside the warehouse.
 */
export async function deleteObsoleteMetadataFiles(platform: Platform, prefix: string, files: readonly string[]): Promise<void> {
  const warehouse = toWarehouseSummary(await requireWarehouse(platform.store.db, prefix));
  const store = await objectStoreFor(warehouse);
  for (const f of files) {
    const checked = pathIfInside(warehouse, f);
    if (!checked) {
      platform.logger.warn({ file: f }, 'an old metadata file outside the warehouse was not deleted');
      continue;
    }
    await store.deleteObject(checked).catch((err: unknown) => platform.logger.warn({ err, file: f }, 'could not delete an old metadata file'));
  }
}

/** Deletes a metadata file this catalog wrote and no table points at (a commit that did not land). */
export async function deleteMetadataFile(warehouse: WarehouseRef, location: string): Promise<void> {
  const path = checkLocationInWarehouse(warehouse, location, { in: 'body', field: 'metadata location' });
  await (await objectStoreFor(toWarehouseSummary(warehouse))).deleteObject(path);
}

export async function readMetadataFile(warehouse: WarehouseRow, location: string): Promise<unknown> {
  const path = checkLocationInWarehouse(warehouse, location, 'metadata-location');
  try {
    return parseJsonLossless((await (await objectStoreFor(toWarehouseSummary(warehouse))).read(path)).toString('utf8'));
  } catch (err) {
    if (err instanceof StorageNotFoundError) throw new BadRequestError(`metadata-location ${location} does not exist`);
    if (err instanceof SyntaxError) throw new BadRequestError(`metadata-location ${location} is not a JSON document`);
    throw err;
  }
}

export interface LoadResultOptions {
  metadataLocation: string | null;
  metadataText: string;
  /** What the client is told about storage: see tableClientStorage(). */
  storage: ClientStorage;
  snapshots?: 'all' | 'refs' | undefined;
}

/**
 * LoadTableResult as JSON text. The stored metadata text goes in as it is, so a load costs no parse and no
 * serialization unless `snapshots=refs` asks for a filtered copy.
 */
export function loadTableResult(o: LoadResultOptions): RawJson {
  const { storage } = o;
  const metadata = o.snapshots === 'refs' ? metadataText(withReferencedSnapshotsOnly(readStoredMetadata(o.metadataText))) : o.metadataText;
  let text = '{';
  if (o.metadataLocation !== null) text += `"metadata-location":${JSON.stringify(o.metadataLocation)},`;
  text += `"metadata":${metadata},"config":${JSON.stringify(storage.config)}`;
  if (storage.credentials.length > 0) text += `,"storage-credentials":${JSON.stringify(storage.credentials)}`;
  return new RawJson(text + '}');
}

/** Where a table's files are, from its metadata text: enough to scope storage access, without a lossless parse. */
export function tableFilesOf(metadataText: string): { location: string; properties: Record<string, string> } {
  const m = JSON.parse(metadataText) as { location?: unknown; properties?: Record<string, string> };
  if (typeof m.location !== 'string') throw new Error('table metadata without a location');
  return { location: m.location, properties: m.properties ?? {} };
}

/**
 * A stored LoadTableResult (createTable's, registerTable's: kept for idempotent replays without any secret) with the
 * storage answer of this request in it. Credentials are made per request, after the transaction: never inside it,
 * never in the idempotency store.
 */
export function withClientStorage(result: RawJson, storage: ClientStorage): RawJson {
  const doc = parseJsonLossless(result.text) as Record<string, unknown>;
  doc['config'] = storage.config;
  if (storage.credentials.length > 0) doc['storage-credentials'] = storage.credentials;
  else delete doc['storage-credentials'];
  return new RawJson(stringifyJsonLossless(doc));
}

export function commitResult(metadataLocation: string, text: string): RawJson {
  return new RawJson(`{"metadata-location":${JSON.stringify(metadataLocation)},"metadata":${text}}`);
}

/** Distinct per metadata version and per `snapshots` mode, as the spec's ETag section asks. */
export function etagOf(metadataLocation: string, snapshots: string | undefined): string {
  return `"${createHash('sha256')
    .update(`${metadataLocation}\n${snapshots ?? 'all'}`)
    .digest('base64url')
    .slice(0, 32)}"`;
}
