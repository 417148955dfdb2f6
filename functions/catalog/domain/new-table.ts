import { BadRequestError } from '../../../shared/errors/index.js';
import type { CreateTableRequestValue, TableUpdateValue } from '../schemas/iceberg-requests.js';
import { assignFreshIds, freshPartitionSpec, freshSortOrder } from './schema-ids.js';
import { DEFAULT_FORMAT_VERSION, isFormatVersion, type FormatVersion } from './table-metadata.js';

/** Table properties that steer creation and are not kept as properties (Java's TableProperties.RESERVED_PROPERTIES). */
const FORMAT_VERSION_PROPERTY = 'format-version';

export function requestedFormatVersion(properties: Record<string, string> | null | undefined): FormatVersion {
  const raw = properties?.[FORMAT_VERSION_PROPERTY];
  if (raw === undefined) return DEFAULT_FORMAT_VERSION;
  const v = Number(raw);
  if (!Number.isInteger(v) || !isFormatVersion(v)) throw new BadRequestError(`Unsupported format version: ${raw} (supported: 1, 2, 3)`);
  return v;
}

/**
 * The updates that build a new table from a CreateTableRequest, as Java's TableMetadata.newTableMetadata does:
 * fresh column ids (1..n), the partition spec and sort order rebound to them, format-version taken from the
 * properties. A staged create answers with the result; its later commit sends the same kind of updates itself.
 */
export function createTableUpdates(req: CreateTableRequestValue, uuid: string, location: string): TableUpdateValue[] {
  const version = requestedFormatVersion(req.properties);
  const { schema, idMap } = assignFreshIds(req.schema, 0);
  const spec = freshPartitionSpec(req['partition-spec'] ?? undefined, idMap, 0);
  const order = freshSortOrder(req['write-order'] ?? undefined, idMap);
  const properties = { ...(req.properties ?? {}) };
  delete properties[FORMAT_VERSION_PROPERTY];
  const updates: TableUpdateValue[] = [
    { action: 'assign-uuid', uuid },
    { action: 'upgrade-format-version', 'format-version': version },
    { action: 'add-schema', schema },
    { action: 'set-current-schema', 'schema-id': -1 },
    { action: 'add-spec', spec },
    { action: 'set-default-spec', 'spec-id': -1 },
    { action: 'add-sort-order', 'sort-order': order },
    { action: 'set-default-sort-order', 'sort-order-id': -1 },
    { action: 'set-location', location },
  ];
  if (Object.keys(properties).length > 0) updates.push({ action: 'set-properties', updates: properties });
  return updates;
}
