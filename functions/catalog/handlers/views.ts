import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Tx, WarehouseRow } from '../../../shared/db/index.js';
import { BadRequestError, CommitFailedError } from '../../../shared/errors/index.js';
import { parseJsonLossless, RawJson, stringifyJsonLossless } from '../../../shared/json/index.js';
import type { Platform } from '../../../shared/platform/index.js';
import { objectStoreFor } from '../storage/warehouse-storage.js';
import { CatalogEvents } from '../../../shared/domains/contracts/index.js';
import { metadataFileLocation, nextMetadataVersion } from '../domain/metadata-files.js';
import { ViewMetadataBuilder, parseViewMetadata, viewMetadataDocument, type ViewMetadata } from '../domain/view-metadata.js';
import type { CommitViewRequestValue, CreateViewRequestValue } from '../schemas/iceberg-requests.js';
import { requireNamespace, requireObject } from '../store/catalog-objects.js';
import { toWarehouseSummary } from '../store/warehouses.js';
import { checkLocationInWarehouse, checkObjectLocations, readMetadataFile } from './table-files.js';
import { ensureNameFree, insertObject, objectLocation, type Actor } from './tables.js';

function viewText(m: ViewMetadata): string {
  return stringifyJsonLossless(viewMetadataDocument(m));
}

export function loadViewResult(metadataLocation: string, text: string): RawJson {
  return new RawJson(`{"metadata-location":${JSON.stringify(metadataLocation)},"metadata":${text},"config":{}}`);
}

async function writeViewMetadata(warehouse: WarehouseRow, m: ViewMetadata, previousLocation: string | null): Promise<{ location: string; text: string }> {
  const text = viewText(m);
  const version = nextMetadataVersion(previousLocation, m['version-log'].length);
  const location = metadataFileLocation(m.location, m.properties, version, randomUUID());
  const path = checkLocationInWarehouse(warehouse, location, { in: 'body', field: 'metadata location' });
  await (await objectStoreFor(toWarehouseSummary(warehouse))).writeNew(path, text);
  return { location, text };
}

/** createView: schema and first version in, as Java's view builder does (the version takes the schema's id). */
export async function createView(tx: Tx, platform: Platform, prefix: string, levels: string[], req: CreateViewRequestValue, actor: Actor): Promise<RawJson> {
  const { warehouse, namespace } = await requireNamespace(tx, prefix, levels, true);
  await ensureNameFree(tx, namespace, req.name, 'view');
  const uuid = randomUUID();
  const location = objectLocation(warehouse, namespace, req.name, uuid, req.location);
  checkObjectLocations(warehouse, { location, properties: req.properties ?? {} }, null);
  const builder = new ViewMetadataBuilder(null);
  builder.applyAll([
    { action: 'assign-uuid', uuid },
    { action: 'set-location', location },
    { action: 'set-properties', updates: req.properties ?? {} },
  ]);
  const schemaId = builder.addSchema(req.schema);
  builder.addVersion({ ...req['view-version'], 'schema-id': schemaId });
  builder.apply({ action: 'set-current-view-version', 'view-version-id': -1 });
  const metadata = builder.build();
  const written = await writeViewMetadata(warehouse, metadata, null);
  await insertObject(tx, platform, 'view', warehouse, namespace, req.name, uuid, written, actor);
  return loadViewResult(written.location, written.text);
}

/** replaceView: requirements checked against the locked view, updates applied, pointer swapped. */
export async function commitView(tx: Tx, platform: Platform, prefix: string, levels: string[], name: string, req: CommitViewRequestValue, actor: Actor): Promise<RawJson> {
  const { warehouse, namespace, object } = await requireObject(tx, 'view', prefix, levels, name, true);
  const base = parseViewMetadata(parseJsonLossless(object.metadata));
  for (const r of req.requirements ?? []) {
    if (r.uuid.toLowerCase() !== base['view-uuid'].toLowerCase()) throw new CommitFailedError(`Requirement failed: view UUID does not match: expected ${base['view-uuid']} != ${r.uuid}`);
  }
  const metadata = new ViewMetadataBuilder(base).applyAll(req.updates).build();
  if (metadata === base) return loadViewResult(object.metadata_location, object.metadata);
  checkObjectLocations(warehouse, metadata, base);
  const written = await writeViewMetadata(warehouse, metadata, object.metadata_location);
  const swapped = await tx
    .updateTable('catalog_objects')
    .set({ metadata_location: written.location, metadata: written.text, updated_at: new Date(), version: sql`version + 1` })
    .where('id', '=', object.id)
    .where('metadata_location', '=', object.metadata_location)
    .executeTakeFirst();
  if (Number(swapped.numUpdatedRows) !== 1) throw new CommitFailedError(`Commit failed: view ${name} was changed concurrently`);
  await platform.outbox.publish(tx, {
    type: CatalogEvents.viewReplaced,
    subject: `catalog/${warehouse.name}/views/${object.id}`,
    data: { warehouse: warehouse.name, namespace: namespace.levels, name, uuid: object.id, metadataLocation: written.location, previousMetadataLocation: object.metadata_location, updates: req.updates.map((u) => u.action), actor: actor.name },
  });
  return loadViewResult(written.location, written.text);
}

export async function registerView(tx: Tx, platform: Platform, prefix: string, levels: string[], name: string, metadataLocation: string, actor: Actor): Promise<RawJson> {
  const { warehouse, namespace } = await requireNamespace(tx, prefix, levels, true);
  await ensureNameFree(tx, namespace, name, 'view');
  const doc = await readMetadataFile(warehouse, metadataLocation);
  let metadata: ViewMetadata;
  try {
    metadata = parseViewMetadata(doc);
  } catch (err) {
    throw new BadRequestError(`metadata-location ${metadataLocation} is not view metadata: ${(err as Error).message}`);
  }
  checkObjectLocations(warehouse, metadata, null, { in: 'body', field: 'metadata-location', label: 'the location its metadata names,' });
  const text = viewText(metadata);
  await insertObject(tx, platform, 'view', warehouse, namespace, name, metadata['view-uuid'], { location: metadataLocation, text }, actor);
  return loadViewResult(metadataLocation, text);
}
