import type { Desc, StructDef, StructValue } from './schema.js';

/**
 * A Thrift value as JSON for the store, and back, by its declaration: i64 as a decimal string (64 bits survive),
 * binary as base64, a map with string keys as an object and any other map as [key, value] pairs. Reading back keeps
 * only declared fields, so a stored document never carries more than the declaration says.
 */
export function toJson(d: Desc, value: unknown): unknown {
  switch (d.kind) {
    case 'i64':
      return (value as bigint).toString();
    case 'binary':
      return (value as Buffer).toString('base64');
    case 'list':
    case 'set':
      return (value as unknown[]).map((v) => toJson(d.of, v));
    case 'map': {
      const entries = [...(value as Map<unknown, unknown>)];
      if (d.key.kind === 'string') return Object.fromEntries(entries.map(([k, v]) => [k, toJson(d.value, v)]));
      return entries.map(([k, v]) => [toJson(d.key, k), toJson(d.value, v)]);
    }
    case 'struct':
      return structToJson(d.struct, value as Record<string, unknown>);
    default:
      return value;
  }
}

export function structToJson(def: StructDef, value: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, f] of Object.entries(def.fields)) {
    const v = value[name];
    if (v !== undefined && v !== null) out[name] = toJson(f.type, v);
  }
  return out;
}

export function fromJson(d: Desc, json: unknown): unknown {
  switch (d.kind) {
    case 'i64':
      return BigInt(json as string);
    case 'binary':
      return Buffer.from(json as string, 'base64');
    case 'list':
    case 'set':
      return (json as unknown[]).map((v) => fromJson(d.of, v));
    case 'map': {
      const entries = d.key.kind === 'string' && !Array.isArray(json) ? Object.entries(json as object) : (json as Array<[unknown, unknown]>);
      return new Map(entries.map(([k, v]) => [fromJson(d.key, k), fromJson(d.value, v)]));
    }
    case 'struct':
      return structFromJson(d.struct, json as Record<string, unknown>);
    default:
      return json;
  }
}

export function structFromJson<F extends StructDef>(def: F, json: Record<string, unknown>): F extends StructDef<infer X> ? StructValue<X> : never {
  const out: Record<string, unknown> = {};
  for (const [name, f] of Object.entries(def.fields)) {
    const v = json[name];
    if (v !== undefined && v !== null) out[name] = fromJson(f.type, v);
  }
  return out as F extends StructDef<infer X> ? StructValue<X> : never;
}
