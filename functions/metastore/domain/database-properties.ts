import type { Database } from '../hms/structs.js';

/*
 * A metastore database is a namespace; its fields are namespace properties, named as Iceberg's own HiveCatalog
 * names them, so the same namespace reads the same through the REST catalog and through HMS: `comment` is the
 * description, `location` the location, the owner is hive.metastore.database.owner(-type), the rest are parameters.
 */
const COMMENT = 'comment';
const LOCATION = 'location';
const OWNER = 'hive.metastore.database.owner';
const OWNER_TYPE = 'hive.metastore.database.owner-type';
const OWNER_TYPES = ['USER', 'ROLE', 'GROUP'] as const;

/** A namespace (its last level and its properties) as a Database. */
export function databaseOf(namespace: { leaf: string; properties: Record<string, string> }, defaultLocation: string): Database {
  const p = namespace.properties;
  const parameters = new Map(Object.entries(p).filter(([k]) => k !== COMMENT && k !== LOCATION && k !== OWNER && k !== OWNER_TYPE));
  const ownerType = OWNER_TYPES.indexOf((p[OWNER_TYPE] ?? 'USER') as (typeof OWNER_TYPES)[number]);
  return {
    name: namespace.leaf,
    ...(p[COMMENT] !== undefined ? { description: p[COMMENT] } : {}),
    locationUri: p[LOCATION] ?? defaultLocation,
    parameters,
    ...(p[OWNER] !== undefined ? { ownerName: p[OWNER], ownerType: (ownerType < 0 ? 0 : ownerType) + 1 } : {}),
  };
}

export function namespacePropertiesOf(db: Database, location: string): Record<string, string> {
  const properties: Record<string, string> = Object.fromEntries(db.parameters ?? new Map());
  if (db.description !== undefined && db.description !== '') properties[COMMENT] = db.description;
  properties[LOCATION] = location;
  if (db.ownerName !== undefined) {
    properties[OWNER] = db.ownerName;
    properties[OWNER_TYPE] = OWNER_TYPES[(db.ownerType ?? 1) - 1] ?? 'USER';
  }
  return properties;
}
