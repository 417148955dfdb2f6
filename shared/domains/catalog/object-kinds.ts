/** What a catalog object may be: an Iceberg table or view, or a Hive metastore table or view (functions/metastore). */
export type StoredObjectKind = 'table' | 'view' | 'hive';

/** How messages name an object of a kind: "Table", "View", "Hive metastore table". */
export function objectNoun(kind: StoredObjectKind): string {
  return kind === 'table' ? 'Table' : kind === 'view' ? 'View' : 'Hive metastore table';
}
