import { type BinaryReader, type BinaryWriter, ThriftProtocolError, TType } from './binary-protocol.js';
import { type Desc, type FieldDef, type StructDef, type StructValue, wireType } from './schema.js';

/** A struct read whole but invalid for its schema: a required field missing, or a union with other than one field. */
export class ThriftValidationError extends ThriftProtocolError {}

export function readValue(r: BinaryReader, d: Desc, depth = 0): unknown {
  if (depth > 64) throw new ThriftProtocolError('values are nested deeper than 64 levels');
  switch (d.kind) {
    case 'bool':
      return r.readBool();
    case 'byte':
      return r.readByte();
    case 'i16':
      return r.readI16();
    case 'i32':
      return r.readI32();
    case 'i64':
      return r.readI64();
    case 'double':
      return r.readDouble();
    case 'string':
      return r.readString();
    case 'binary':
      return r.readBinary();
    case 'list':
    case 'set': {
      const l = r.readListBegin();
      const out: unknown[] = [];
      if (l.size > 0 && l.elementType !== wireType(d.of)) throw new ThriftProtocolError(`a ${d.kind} of the wrong element type`);
      for (let i = 0; i < l.size; i++) out.push(readValue(r, d.of, depth + 1));
      return out;
    }
    case 'map': {
      const m = r.readMapBegin();
      const out = new Map<unknown, unknown>();
      if (m.size > 0 && (m.keyType !== wireType(d.key) || m.valueType !== wireType(d.value)))
        throw new ThriftProtocolError('a map of the wrong key or value type');
      for (let i = 0; i < m.size; i++) out.set(readValue(r, d.key, depth + 1), readValue(r, d.value, depth + 1));
      return out;
    }
    case 'struct':
      return readStruct(r, d.struct, depth + 1);
  }
}

/** A struct's fields by name; a field of an id we do not declare, or of another wire type, is skipped (libthrift's rule). */
export function readStruct<F extends Record<string, FieldDef>>(r: BinaryReader, def: StructDef<F>, depth = 0): StructValue<F> {
  const out: Record<string, unknown> = {};
  for (;;) {
    const f = r.readFieldBegin();
    if (f.type === TType.STOP) break;
    const known = def.byId.get(f.id);
    if (known === undefined || wireType(known[1].type) !== f.type) {
      r.skip(f.type, depth + 1);
      continue;
    }
    out[known[0]] = readValue(r, known[1].type, depth);
  }
  for (const [name, f] of Object.entries(def.fields)) {
    if (f.required && out[name] === undefined) throw new ThriftValidationError(`Required field '${name}' is unset! Struct:${def.name}`);
  }
  if (def.union && Object.keys(out).length !== 1) throw new ThriftValidationError(`${def.name}: a union must have exactly one field set`);
  return out as StructValue<F>;
}

export function writeValue(w: BinaryWriter, d: Desc, v: unknown): void {
  switch (d.kind) {
    case 'bool':
      return w.writeBool(v as boolean);
    case 'byte':
      return w.writeByte(v as number);
    case 'i16':
      return w.writeI16(v as number);
    case 'i32':
      return w.writeI32(v as number);
    case 'i64':
      return w.writeI64(v as bigint);
    case 'double':
      return w.writeDouble(v as number);
    case 'string':
      return w.writeString(v as string);
    case 'binary':
      return w.writeBinary(v as Uint8Array);
    case 'list':
    case 'set': {
      const items = v as readonly unknown[];
      w.writeListBegin(wireType(d.of), items.length);
      for (const item of items) writeValue(w, d.of, item);
      return;
    }
    case 'map': {
      const m = v as ReadonlyMap<unknown, unknown>;
      w.writeMapBegin(wireType(d.key), wireType(d.value), m.size);
      for (const [k, value] of m) {
        writeValue(w, d.key, k);
        writeValue(w, d.value, value);
      }
      return;
    }
    case 'struct':
      return writeStruct(w, d.struct, v as Record<string, unknown>);
  }
}

/** Writes the fields that have a value, in the order they are declared (as libthrift's generated code does). */
export function writeStruct<F extends Record<string, FieldDef>>(w: BinaryWriter, def: StructDef<F>, value: StructValue<F> | Record<string, unknown>): void {
  const v = value as Record<string, unknown>;
  for (const name in def.fields) {
    const f = def.fields[name] as FieldDef;
    const fieldValue = v[name];
    if (fieldValue === undefined || fieldValue === null) {
      if (f.required) throw new ThriftValidationError(`Required field '${name}' is unset! Struct:${def.name}`);
      continue;
    }
    w.writeFieldBegin(wireType(f.type), f.id);
    writeValue(w, f.type, fieldValue);
  }
  w.writeFieldStop();
}
