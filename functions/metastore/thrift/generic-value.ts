import { BinaryReader, type MessageHeader, ThriftProtocolError, TType, type TTypeId } from './binary-protocol.js';

/**
 * A value read without its schema: structs as objects keyed by field id, i64 as a decimal string, binary as base64.
 * What a recording of real clients' calls keeps (test/metastore), and what a message's arguments look like before
 * the schema gives them names.
 */
export type GenericValue = null | boolean | number | string | GenericValue[] | { [fieldId: string]: GenericValue } | Array<[GenericValue, GenericValue]>;

export function readGeneric(r: BinaryReader, type: TTypeId, depth = 0): GenericValue {
  if (depth > 64) throw new ThriftProtocolError('values are nested deeper than 64 levels');
  switch (type) {
    case TType.BOOL:
      return r.readBool();
    case TType.BYTE:
      return r.readByte();
    case TType.I16:
      return r.readI16();
    case TType.I32:
      return r.readI32();
    case TType.I64:
      return r.readI64().toString();
    case TType.DOUBLE:
      return r.readDouble();
    case TType.STRING: {
      const bytes = r.readBinary();
      const text = bytes.toString('utf8');
      return Buffer.from(text, 'utf8').equals(bytes) ? text : `base64:${bytes.toString('base64')}`;
    }
    case TType.STRUCT: {
      const out: { [fieldId: string]: GenericValue } = {};
      for (;;) {
        const f = r.readFieldBegin();
        if (f.type === TType.STOP) return out;
        out[String(f.id)] = readGeneric(r, f.type, depth + 1);
      }
    }
    case TType.MAP: {
      const m = r.readMapBegin();
      const out: Array<[GenericValue, GenericValue]> = [];
      for (let i = 0; i < m.size; i++) out.push([readGeneric(r, m.keyType, depth + 1), readGeneric(r, m.valueType, depth + 1)]);
      return out;
    }
    case TType.SET:
    case TType.LIST: {
      const l = r.readListBegin();
      const out: GenericValue[] = [];
      for (let i = 0; i < l.size; i++) out.push(readGeneric(r, l.elementType, depth + 1));
      return out;
    }
    default:
      throw new ThriftProtocolError(`unknown Thrift type ${String(type)}`);
  }
}

/** A whole message: its header and its one struct (a call's arguments, or a reply's result). */
export function readGenericMessage(message: Buffer): { header: MessageHeader; body: GenericValue } {
  const r = new BinaryReader(message);
  const header = r.readMessageBegin();
  return { header, body: readGeneric(r, TType.STRUCT) };
}
