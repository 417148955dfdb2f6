import type { FieldSchema, Table } from '../hms/structs.js';

/**
 * An Iceberg table of the namespace as the metastore lists it, the way Iceberg's own HiveCatalog registers one: an
 * EXTERNAL_TABLE with table_type=ICEBERG and its metadata_location, columns in Hive's types, no partition keys
 * (Iceberg partitions are hidden). Engines that only speak HMS find it and hand it to their Iceberg support;
 * commits stay on the REST catalog (an HMS change to it is refused).
 */
export function icebergTableAsHive(dbName: string, name: string, metadataLocation: string, metadataText: string, owner: string | null, createdAt: Date): Table {
  const metadata = JSON.parse(metadataText) as IcebergMetadata;
  const schema = currentSchema(metadata);
  const cols: FieldSchema[] = (schema?.fields ?? []).map((f) => ({ name: f.name, type: hiveType(f.type), ...(f.doc ? { comment: f.doc } : {}) }));
  const parameters = new Map<string, string>([
    ['EXTERNAL', 'TRUE'],
    ['table_type', 'ICEBERG'],
    ['metadata_location', metadataLocation],
  ]);
  for (const [k, v] of Object.entries(metadata.properties ?? {})) if (!parameters.has(k)) parameters.set(k, v);
  return {
    dbName,
    tableName: name,
    owner: owner ?? '',
    createTime: Math.floor(createdAt.getTime() / 1000),
    lastAccessTime: 0,
    retention: 0,
    sd: {
      cols,
      location: metadata.location ?? '',
      inputFormat: 'org.apache.hadoop.mapred.FileInputFormat',
      outputFormat: 'org.apache.hadoop.mapred.FileOutputFormat',
      compressed: false,
      numBuckets: 0,
      serdeInfo: { serializationLib: 'org.apache.iceberg.mr.hive.HiveIcebergSerDe', parameters: new Map() },
      bucketCols: [],
      sortCols: [],
      parameters: new Map(),
      storedAsSubDirectories: false,
    },
    partitionKeys: [],
    parameters,
    tableType: 'EXTERNAL_TABLE',
  };
}

interface IcebergField {
  name: string;
  type: IcebergType;
  doc?: string;
}
type IcebergType =
  string | { type: 'struct'; fields: IcebergField[] } | { type: 'list'; element: IcebergType } | { type: 'map'; key: IcebergType; value: IcebergType };
interface IcebergMetadata {
  location?: string;
  properties?: Record<string, string>;
  'current-schema-id'?: number;
  schemas?: Array<{ 'schema-id': number; fields: IcebergField[] }>;
  schema?: { fields: IcebergField[] };
}

function currentSchema(m: IcebergMetadata): { fields: IcebergField[] } | undefined {
  return m.schemas?.find((s) => s['schema-id'] === m['current-schema-id']) ?? m.schema;
}

/** Iceberg's type in Hive's type names, as Iceberg's HiveSchemaUtil writes them for Hive 2. */
export function hiveType(t: IcebergType): string {
  if (typeof t !== 'string') {
    if (t.type === 'struct') return `struct<${t.fields.map((f) => `${f.name}:${hiveType(f.type)}`).join(',')}>`;
    if (t.type === 'list') return `array<${hiveType(t.element)}>`;
    return `map<${hiveType(t.key)},${hiveType(t.value)}>`;
  }
  if (t.startsWith('decimal')) return t.replace(/\s+/g, '');
  if (t.startsWith('fixed')) return 'binary';
  switch (t) {
    case 'long':
      return 'bigint';
    case 'timestamptz':
    case 'timestamp_ns':
    case 'timestamptz_ns':
      return 'timestamp';
    case 'time':
    case 'uuid':
      return 'string';
    default:
      return t;
  }
}
