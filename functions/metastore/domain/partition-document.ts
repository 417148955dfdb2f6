import { structFromJson, structToJson } from '../thrift/json-value.js';
import { Partition } from '../hms/structs.js';

/** A partition as the store keeps it (metastore_partitions.partition): the Partition without its table's names and its values. */
export function partitionDocument(p: Partition): string {
  const { values: _v, dbName: _d, tableName: _t, ...rest } = p;
  return JSON.stringify(structToJson(Partition, rest));
}

export function partitionFromDocument(text: string, dbName: string, tableName: string, values: string[]): Partition {
  return { ...structFromJson(Partition, JSON.parse(text) as Record<string, unknown>), values, dbName, tableName };
}
