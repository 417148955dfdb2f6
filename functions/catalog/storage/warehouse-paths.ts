import { ForbiddenError, UnavailableError, ValidationError, type FieldProblem } from '../../../shared/errors/index.js';
import { LocationOutsideError, StorageRoot, UnsafeLocationError, type StoragePath } from '../../../shared/storage/index.js';

/** What a location is checked against: the warehouse's name (for messages) and its storage location. */
export interface WarehouseLocation {
  name: string;
  storageLocation: string;
}

/** Where a checked location came from, for the 400 that names it. */
export interface LocationField {
  in: FieldProblem['in'];
  /** The field as the request spells it: "location", "metadata-location", "properties.write.data.path". */
  field: string;
  /** How messages call it, when not its field name ("property location"). */
  label?: string;
}

/**
 * Parsed roots, per storage location: loadTable checks its metadata file on every request. A value cache, not the
 * catalog's state (catalog-context.ts): the same text parses to the same root in any process.
 */
const roots = new Map<string, StorageRoot>();
const MAX_ROOTS = 1000;

export function warehouseRoot(warehouse: WarehouseLocation): StorageRoot {
  let root = roots.get(warehouse.storageLocation);
  if (!root) {
    try {
      root = new StorageRoot(warehouse.storageLocation);
    } catch (err) {
      // Warehouse creation refuses such a location; one stored before it did is the operator's to fix.
      throw new UnavailableError(`warehouse ${warehouse.name} has an unusable storage location: ${(err as Error).message}`);
    }
    if (roots.size >= MAX_ROOTS) roots.clear();
    roots.set(warehouse.storageLocation, root);
  }
  return root;
}

/**
 * The one way to a StoragePath in the catalog: a location of the warehouse, decoded, normalized and checked. A
 * malformed or ambiguous location ('..' segments, %2e%2e, encoded separators, NUL, backslashes) is a 400 naming the
 * field; one elsewhere is a 403, as it has always been: it would reach data the warehouse's grants do not cover.
 */
export function warehousePath(warehouse: WarehouseLocation, location: string, field: LocationField | string): StoragePath {
  const f: LocationField = typeof field === 'string' ? { in: 'body', field } : field;
  try {
    return warehouseRoot(warehouse).resolve(location);
  } catch (err) {
    if (err instanceof UnsafeLocationError) throw new ValidationError([{ in: f.in, field: f.field, message: `${JSON.stringify(location)} ${err.reason}` }]);
    if (err instanceof LocationOutsideError)
      throw new ForbiddenError(`${f.label ?? f.field} ${location} is outside warehouse ${warehouse.name} (${warehouse.storageLocation})`);
    throw err;
  }
}

/** The checked path of a location, or undefined (never a throw) for one that is malformed or outside. */
export function pathIfInside(warehouse: WarehouseLocation, location: string): StoragePath | undefined {
  try {
    return warehouseRoot(warehouse).resolve(location);
  } catch {
    return undefined;
  }
}
