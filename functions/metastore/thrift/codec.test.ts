import { describe, expect, it } from 'vitest';
import { BinaryReader, BinaryWriter, TType } from './binary-protocol.js';
import { readStruct, ThriftValidationError, writeStruct } from './codec.js';
import { field, type Infer, required, struct, t } from './schema.js';

const Column = struct('FieldSchema', { name: field(1, t.string), type: field(2, t.string), comment: field(3, t.string) });
const Stats = struct('LongColumnStatsData', { lowValue: field(1, t.i64), highValue: field(2, t.i64), numNulls: required(3, t.i64) });
const StatsData = struct('ColumnStatisticsData', { longStats: field(2, t.struct(Stats)), stringStats: field(4, t.binary) }, { union: true });
const Holder = struct('Holder', {
  cols: field(1, t.list(t.struct(Column))),
  parameters: field(2, t.map(t.string, t.string)),
  skewed: field(3, t.map(t.list(t.string), t.string)),
  data: field(4, t.struct(StatsData)),
  count: required(5, t.i32),
});

function roundTrip<S extends Parameters<typeof writeStruct>[1]>(def: S, value: Record<string, unknown>): unknown {
  const w = new BinaryWriter(2);
  writeStruct(w, def, value);
  return readStruct(new BinaryReader(Buffer.from(w.bytes())), def);
}

describe('the schema codec', () => {
  it('reads back what it writes, i64 exact past 2^53, maps with list keys', () => {
    const value: Infer<typeof Holder> = {
      cols: [
        { name: 'id', type: 'bigint' },
        { name: 'day', type: 'string', comment: 'partition' },
      ],
      parameters: new Map([['EXTERNAL', 'TRUE']]),
      skewed: new Map([[['a', 'b'], 'file:/x']]),
      data: { longStats: { lowValue: -(2n ** 63n), highValue: 2n ** 63n - 1n, numNulls: 0n } },
      count: 3,
    };
    expect(roundTrip(Holder, value)).toEqual(value);
  });

  it('skips fields it does not declare, and fields of another wire type', () => {
    const w = new BinaryWriter();
    w.writeFieldBegin(TType.STRING, 1);
    w.writeString('id');
    w.writeFieldBegin(TType.I32, 2);
    w.writeI32(5);
    w.writeFieldBegin(TType.LIST, 9);
    w.writeListBegin(TType.STRING, 1);
    w.writeString('later Hive');
    w.writeFieldStop();
    expect(readStruct(new BinaryReader(Buffer.from(w.bytes())), Column)).toEqual({ name: 'id' });
  });

  it('refuses a struct without its required field, both ways, and a union with two fields', () => {
    expect(() => roundTrip(Holder, {})).toThrow(new ThriftValidationError("Required field 'count' is unset! Struct:Holder"));
    const w = new BinaryWriter();
    w.writeFieldStop();
    expect(() => readStruct(new BinaryReader(Buffer.from(w.bytes())), Stats)).toThrow(/Required field 'numNulls' is unset/);
    expect(() => roundTrip(StatsData, { longStats: { numNulls: 1n }, stringStats: Buffer.from('x') })).toThrow(/exactly one field/);
  });
});
