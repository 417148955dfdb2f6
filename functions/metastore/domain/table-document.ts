import { structFromJson, structToJson } from '../thrift/json-value.js';
import type { FieldSchema } from '../hms/structs.js';
import { Table } from '../hms/structs.js';

/**
 * A metastore table as the store keeps it (catalog_objects.metadata of kind 'hive', migrations/0025): the Table
 * without its names (they are the object's namespace and name, so a rename is one update), and its columns, partition
 * keys last, in the shape of an Iceberg schema so discovery indexes them as it indexes Iceberg columns.
 */
interface TableDocument {
  table: Record<string, unknown>;
  schema: { fields: Array<{ id: number; name: string; type: string; doc?: string; required: false }> };
}

export function tableDocument(table: Table): string {
  // Grants are not the metastore's business here (the data access policies decide); a client's are not kept.
  const { dbName: _db, tableName: _name, privileges: _grants, ...rest } = table;
  const columns = [...(table.sd?.cols ?? []), ...(table.partitionKeys ?? [])];
  const doc: TableDocument = {
    table: structToJson(Table, rest),
    schema: {
      fields: columns.map((c, i) => ({ id: i + 1, name: c.name ?? '', type: c.type ?? '', ...(c.comment ? { doc: c.comment } : {}), required: false })),
    },
  };
  return JSON.stringify(doc);
}

export function tableFromDocument(text: string, dbName: string, tableName: string): Table {
  const doc = JSON.parse(text) as TableDocument;
  return { ...structFromJson(Table, doc.table), dbName, tableName };
}

/** Hive's rule: a table is external by its type or by its EXTERNAL=TRUE parameter; its files are never deleted. */
export function isExternal(table: Table): boolean {
  return table.tableType === 'EXTERNAL_TABLE' || table.parameters?.get('EXTERNAL')?.toUpperCase() === 'TRUE';
}

export function isView(table: Table): boolean {
  return table.tableType === 'VIRTUAL_VIEW' || table.tableType === 'MATERIALIZED_VIEW';
}

export function partitionKeyNames(table: Table): string[] {
  return (table.partitionKeys ?? []).map((k: FieldSchema) => k.name ?? '');
}
