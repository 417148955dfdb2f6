import type { Long } from '../../../shared/json/index.js';
import type {
  EncryptedKeyValue,
  IcebergSchemaValue,
  PartitionStatisticsFileValue,
  SnapshotReferenceValue,
  SnapshotValue,
  SortOrderValue,
  StatisticsFileValue,
} from '../schemas/iceberg-types.js';

/** Table metadata as the Iceberg table spec (v1-v3) writes it to NNNNN-uuid.metadata.json. */
export interface TableMetadata {
  'format-version': FormatVersion;
  'table-uuid': string;
  location: string;
  'last-sequence-number': Long;
  'last-updated-ms': Long;
  'last-column-id': number;
  'next-row-id'?: Long;
  schemas: IcebergSchemaValue[];
  'current-schema-id': number;
  'partition-specs': PartitionSpecWithId[];
  'default-spec-id': number;
  'last-partition-id': number;
  'sort-orders': SortOrderValue[];
  'default-sort-order-id': number;
  properties: Record<string, string>;
  'current-snapshot-id': Long;
  refs: Record<string, SnapshotReferenceValue>;
  snapshots: SnapshotValue[];
  statistics: StatisticsFileValue[];
  'partition-statistics': PartitionStatisticsFileValue[];
  'snapshot-log': Array<{ 'snapshot-id': Long; 'timestamp-ms': Long }>;
  'metadata-log': Array<{ 'metadata-file': string; 'timestamp-ms': Long }>;
  'encryption-keys'?: EncryptedKeyValue[];
}

export type FormatVersion = 1 | 2 | 3;
export const SUPPORTED_FORMAT_VERSIONS: readonly FormatVersion[] = [1, 2, 3];
export const DEFAULT_FORMAT_VERSION: FormatVersion = 2;
export interface PartitionSpecWithId {
  'spec-id': number;
  fields: Array<{ 'source-id': number; 'field-id': number; name: string; transform: string }>;
}

/** Partition field ids start at 1000 (spec: "partition field IDs begin at 1000"). */
export const PARTITION_FIELD_ID_START = 1000;
export const MAIN_BRANCH = 'main';
/** -1 in current-snapshot-id means "no snapshot" (Java writes it so; the REST schema types it as an integer). */
export const NO_SNAPSHOT = -1;

export function isFormatVersion(v: number): v is FormatVersion {
  return (SUPPORTED_FORMAT_VERSIONS as readonly number[]).includes(v);
}

/**
 * The JSON document in the canonical field order Java's TableMetadataParser uses. v1 also carries the single
 * `schema` and `partition-spec` fields that v1 readers require.
 */
export function tableMetadataDocument(m: TableMetadata): Record<string, unknown> {
  const v = m['format-version'];
  const doc: Record<string, unknown> = {
    'format-version': v,
    'table-uuid': m['table-uuid'],
    location: m.location,
  };
  if (v > 1) doc['last-sequence-number'] = m['last-sequence-number'];
  doc['last-updated-ms'] = m['last-updated-ms'];
  doc['last-column-id'] = m['last-column-id'];
  if (v >= 3) doc['next-row-id'] = m['next-row-id'] ?? 0;
  if (v === 1) doc['schema'] = m.schemas.find((s) => s['schema-id'] === m['current-schema-id']);
  doc['schemas'] = m.schemas;
  doc['current-schema-id'] = m['current-schema-id'];
  if (v === 1) doc['partition-spec'] = m['partition-specs'].find((s) => s['spec-id'] === m['default-spec-id'])?.fields ?? [];
  doc['partition-specs'] = m['partition-specs'];
  doc['default-spec-id'] = m['default-spec-id'];
  doc['last-partition-id'] = m['last-partition-id'];
  doc['default-sort-order-id'] = m['default-sort-order-id'];
  doc['sort-orders'] = m['sort-orders'];
  doc['properties'] = m.properties;
  doc['current-snapshot-id'] = m['current-snapshot-id'];
  doc['refs'] = m.refs;
  doc['snapshots'] = m.snapshots;
  doc['statistics'] = m.statistics;
  doc['partition-statistics'] = m['partition-statistics'];
  doc['snapshot-log'] = m['snapshot-log'];
  doc['metadata-log'] = m['metadata-log'];
  if (m['encryption-keys'] && m['encryption-keys'].length > 0) doc['encryption-keys'] = m['encryption-keys'];
  return doc;
}

/** Snapshots referenced by a branch or tag: what `snapshots=refs` returns. */
export function withReferencedSnapshotsOnly(m: TableMetadata): TableMetadata {
  const referenced = new Set(Object.values(m.refs).map((r) => String(r['snapshot-id'])));
  return { ...m, snapshots: m.snapshots.filter((s) => referenced.has(String(s['snapshot-id']))) };
}
