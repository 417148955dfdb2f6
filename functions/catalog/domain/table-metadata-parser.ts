import { BadRequestError } from '../../../shared/errors/index.js';
import type { Long } from '../../../shared/json/index.js';
import type { IcebergSchemaValue, PartitionSpecValue } from '../schemas/iceberg-types.js';
import { highestFieldId } from './schema-ids.js';
import { NO_SNAPSHOT, PARTITION_FIELD_ID_START, isFormatVersion, type PartitionSpecWithId, type TableMetadata } from './table-metadata.js';

type Doc = Record<string, unknown>;

function isObject(v: unknown): v is Doc {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isLong(v: unknown): v is Long {
  return (typeof v === 'number' && Number.isInteger(v)) || typeof v === 'bigint';
}

function invalid(what: string): never {
  throw new BadRequestError(`Invalid table metadata: ${what}`);
}

/**
 * Reads a table metadata document written by any Iceberg implementation (register, or our own files), filling in
 * what v1 leaves out (`schemas`, `partition-specs`, `sort-orders` and refs derived from the single legacy fields) so
 * the rest of the catalog sees one shape.
 */
export function parseTableMetadata(doc: unknown): TableMetadata {
  if (!isObject(doc)) invalid('not a JSON object');
  const version = doc['format-version'];
  if (typeof version !== 'number' || !isFormatVersion(version)) invalid(`unsupported format-version ${String(version)}`);
  const uuid = doc['table-uuid'];
  if (typeof uuid !== 'string' && version > 1) invalid('table-uuid is required');
  const location = doc['location'];
  if (typeof location !== 'string') invalid('location is required');

  let schemas = doc['schemas'] as IcebergSchemaValue[] | undefined;
  let currentSchemaId = doc['current-schema-id'] as number | undefined;
  if (!Array.isArray(schemas)) {
    const legacy = doc['schema'];
    if (!isObject(legacy)) invalid('schemas (or the v1 schema) is required');
    schemas = [{ ...(legacy as unknown as IcebergSchemaValue), 'schema-id': (legacy['schema-id'] as number | undefined) ?? 0 }];
    currentSchemaId = schemas[0]?.['schema-id'];
  }
  const schemaId = currentSchemaId;
  if (typeof schemaId !== 'number' || !schemas.some((s) => s['schema-id'] === schemaId)) invalid('current-schema-id does not name a schema');

  let specs = doc['partition-specs'] as PartitionSpecWithId[] | undefined;
  let defaultSpecId = doc['default-spec-id'] as number | undefined;
  if (!Array.isArray(specs)) {
    const legacy = doc['partition-spec'];
    if (!Array.isArray(legacy)) invalid('partition-specs (or the v1 partition-spec) is required');
    specs = [
      { 'spec-id': 0, fields: (legacy as PartitionSpecValue['fields']).map((f, i) => ({ ...f, 'field-id': f['field-id'] ?? PARTITION_FIELD_ID_START + i })) },
    ] as PartitionSpecWithId[];
    defaultSpecId = 0;
  }
  const lastPartitionId =
    typeof doc['last-partition-id'] === 'number'
      ? doc['last-partition-id']
      : specs.flatMap((s) => s.fields.map((f) => f['field-id'])).reduce((a, b) => Math.max(a, b), PARTITION_FIELD_ID_START - 1);

  const sortOrders = Array.isArray(doc['sort-orders']) ? (doc['sort-orders'] as TableMetadata['sort-orders']) : [{ 'order-id': 0, fields: [] }];
  const currentSnapshot = isLong(doc['current-snapshot-id']) ? doc['current-snapshot-id'] : NO_SNAPSHOT;
  let refs = isObject(doc['refs']) ? (doc['refs'] as TableMetadata['refs']) : {};
  // Before refs existed, the current snapshot was main.
  if (!isObject(doc['refs']) && String(currentSnapshot) !== String(NO_SNAPSHOT)) refs = { main: { type: 'branch', 'snapshot-id': currentSnapshot } };

  const metadata: TableMetadata = {
    'format-version': version,
    'table-uuid': typeof uuid === 'string' ? uuid : invalid('table-uuid is required'),
    location: location.replace(/\/+$/, ''),
    'last-sequence-number': isLong(doc['last-sequence-number']) ? doc['last-sequence-number'] : 0,
    'last-updated-ms': isLong(doc['last-updated-ms']) ? doc['last-updated-ms'] : invalid('last-updated-ms is required'),
    'last-column-id': typeof doc['last-column-id'] === 'number' ? doc['last-column-id'] : Math.max(...schemas.map((s) => highestFieldId(s))),
    schemas,
    'current-schema-id': schemaId,
    'partition-specs': specs,
    'default-spec-id': typeof defaultSpecId === 'number' ? defaultSpecId : 0,
    'last-partition-id': lastPartitionId,
    'sort-orders': sortOrders,
    'default-sort-order-id': typeof doc['default-sort-order-id'] === 'number' ? doc['default-sort-order-id'] : (sortOrders[0]?.['order-id'] ?? 0),
    properties: isObject(doc['properties']) ? (doc['properties'] as Record<string, string>) : {},
    'current-snapshot-id': currentSnapshot,
    refs,
    snapshots: Array.isArray(doc['snapshots']) ? (doc['snapshots'] as TableMetadata['snapshots']) : [],
    statistics: Array.isArray(doc['statistics']) ? (doc['statistics'] as TableMetadata['statistics']) : [],
    'partition-statistics': Array.isArray(doc['partition-statistics']) ? (doc['partition-statistics'] as TableMetadata['partition-statistics']) : [],
    'snapshot-log': Array.isArray(doc['snapshot-log']) ? (doc['snapshot-log'] as TableMetadata['snapshot-log']) : [],
    'metadata-log': Array.isArray(doc['metadata-log']) ? (doc['metadata-log'] as TableMetadata['metadata-log']) : [],
  };
  if (version >= 3) metadata['next-row-id'] = isLong(doc['next-row-id']) ? doc['next-row-id'] : 0;
  if (Array.isArray(doc['encryption-keys'])) metadata['encryption-keys'] = doc['encryption-keys'] as NonNullable<TableMetadata['encryption-keys']>;
  return metadata;
}
