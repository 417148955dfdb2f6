import { stringifyJsonLossless } from '../../../shared/json/index.js';
import { BadRequestError } from '../../../shared/errors/index.js';
import type { IcebergFieldType, IcebergSchemaValue, IcebergStructField, PartitionSpecValue, SortOrderValue } from '../schemas/iceberg-types.js';
import { PARTITION_FIELD_ID_START, type PartitionSpecWithId } from './table-metadata.js';

/** The highest field id anywhere in a type: struct fields, list elements, map keys and values. */
export function highestFieldId(type: IcebergFieldType): number {
  if (typeof type === 'string') return 0;
  switch (type.type) {
    case 'struct':
      return type.fields.reduce((max, f) => Math.max(max, f.id, highestFieldId(f.type)), 0);
    case 'list':
      return Math.max(type['element-id'], highestFieldId(type.element));
    case 'map':
      return Math.max(type['key-id'], type['value-id'], highestFieldId(type.key), highestFieldId(type.value));
  }
}

/** Every field id of a schema, with its dotted name (for binding partition and sort fields by name). */
export function fieldIdsByName(schema: IcebergSchemaValue): Map<string, number> {
  const out = new Map<string, number>();
  const walk = (type: IcebergFieldType, prefix: string): void => {
    if (typeof type === 'string') return;
    if (type.type === 'struct') {
      for (const f of type.fields) {
        out.set(prefix + f.name, f.id);
        walk(f.type, `${prefix}${f.name}.`);
      }
    } else if (type.type === 'list') {
      out.set(`${prefix}element`, type['element-id']);
      walk(type.element, `${prefix}element.`);
    } else {
      out.set(`${prefix}key`, type['key-id']);
      out.set(`${prefix}value`, type['value-id']);
      walk(type.key, `${prefix}key.`);
      walk(type.value, `${prefix}value.`);
    }
  };
  walk(schema, '');
  return out;
}

export function fieldIds(schema: IcebergSchemaValue): Set<number> {
  return new Set(fieldIdsByName(schema).values());
}

/**
 * New ids for a client's schema, in the order Java's TypeUtil.assignFreshIds gives them: a struct's own fields
 * first, then their nested types; a list's element id, then its type; a map's key and value ids, then their types.
 * Returns the schema and the old-to-new id map (partition and sort fields are rebound with it).
 */
export function assignFreshIds(schema: IcebergSchemaValue, schemaId: number): { schema: IcebergSchemaValue; idMap: Map<number, number>; lastColumnId: number } {
  let next = 0;
  const idMap = new Map<number, number>();
  const assign = (old: number): number => {
    next += 1;
    idMap.set(old, next);
    return next;
  };
  const visit = (type: IcebergFieldType): IcebergFieldType => {
    if (typeof type === 'string') return type;
    if (type.type === 'struct') {
      const ids = type.fields.map((f) => assign(f.id));
      return { ...type, fields: type.fields.map((f, i): IcebergStructField => ({ ...f, id: ids[i] as number, type: visit(f.type) })) };
    }
    if (type.type === 'list') {
      const elementId = assign(type['element-id']);
      return { ...type, 'element-id': elementId, element: visit(type.element) };
    }
    const keyId = assign(type['key-id']);
    const valueId = assign(type['value-id']);
    return { ...type, 'key-id': keyId, 'value-id': valueId, key: visit(type.key), value: visit(type.value) };
  };
  const fresh = visit({ type: 'struct', fields: withoutNulls(schema.fields) }) as IcebergSchemaValue;
  const result: IcebergSchemaValue = { ...withoutNulls(schema), type: 'struct', fields: fresh.fields, 'schema-id': schemaId };
  const identifiers = schema['identifier-field-ids'];
  if (identifiers && identifiers.length > 0) {
    result['identifier-field-ids'] = identifiers.map((id) => {
      const mapped = idMap.get(id);
      if (mapped === undefined) throw new BadRequestError(`identifier field ${id} is not a field of the schema`);
      return mapped;
    });
  } else {
    delete result['identifier-field-ids'];
  }
  return { schema: result, idMap, lastColumnId: next };
}

/** Two schemas are the same when their fields and identifier fields are, whatever their schema ids. */
export function sameSchema(a: IcebergSchemaValue, b: IcebergSchemaValue): boolean {
  const key = (s: IcebergSchemaValue) => stringifyJsonLossless({ f: s.fields, i: s['identifier-field-ids'] ?? [] });
  return key(a) === key(b);
}

/** The client's partition spec bound to fresh ids: sources mapped through idMap, field ids from 1000. */
export function freshPartitionSpec(spec: PartitionSpecValue | undefined, idMap: Map<number, number>, specId: number): PartitionSpecWithId {
  const fields = (spec?.fields ?? []).map((f, i) => {
    const source = idMap.get(f['source-id']);
    if (source === undefined) throw new BadRequestError(`partition field ${f.name} refers to source column ${f['source-id']}, which is not in the schema`);
    return { 'source-id': source, 'field-id': PARTITION_FIELD_ID_START + i, name: f.name, transform: f.transform };
  });
  return { 'spec-id': specId, fields };
}

export function freshSortOrder(order: SortOrderValue | undefined, idMap: Map<number, number>): SortOrderValue {
  const fields = (order?.fields ?? []).map((f) => {
    const source = idMap.get(f['source-id']);
    if (source === undefined) throw new BadRequestError(`sort field refers to source column ${f['source-id']}, which is not in the schema`);
    return { ...f, 'source-id': source };
  });
  // Order id 0 is reserved for "unsorted"; a real order starts at 1.
  return { 'order-id': fields.length === 0 ? 0 : 1, fields };
}

/**
 * A copy without null-valued fields, at any depth. Java's client sends absent optionals as null; metadata files
 * leave them out (and the REST spec's schemas do not allow null there).
 */
export function withoutNulls<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v) => withoutNulls(v)) as T;
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== null) out[k] = withoutNulls(v);
    return out as T;
  }
  return value;
}
