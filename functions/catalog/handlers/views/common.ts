import { randomUUID } from 'node:crypto';
import type { WarehouseRow } from '../../../../shared/db/index.js';
import { RawJson, stringifyJsonLossless } from '../../../../shared/json/index.js';
import { metadataFileLocation, nextMetadataVersion } from '../../domain/metadata-files.js';
import { viewMetadataDocument, type ViewMetadata } from '../../domain/view-metadata.js';
import { objectStoreFor } from '../../storage/warehouse-storage.js';
import { toWarehouseSummary } from '../../store/warehouses.js';
import { checkLocationInWarehouse } from '../table-files.js';

export function viewText(m: ViewMetadata): string {
  return stringifyJsonLossless(viewMetadataDocument(m));
}

export function loadViewResult(metadataLocation: string, text: string): RawJson {
  return new RawJson(`{"metadata-location":${JSON.stringify(metadataLocation)},"metadata":${text},"config":{}}`);
}

/** Writes the next metadata file of a view (NNNNN-uuid.metadata.json); never replaces an existing file. */
export async function writeViewMetadata(
  warehouse: WarehouseRow,
  m: ViewMetadata,
  previousLocation: string | null,
): Promise<{ location: string; text: string }> {
  const text = viewText(m);
  const version = nextMetadataVersion(previousLocation, m['version-log'].length);
  const location = metadataFileLocation(m.location, m.properties, version, randomUUID());
  const path = checkLocationInWarehouse(warehouse, location, { in: 'body', field: 'metadata location' });
  await (await objectStoreFor(toWarehouseSummary(warehouse))).writeNew(path, text);
  return { location, text };
}
