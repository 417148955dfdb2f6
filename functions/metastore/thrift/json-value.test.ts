import { describe, expect, it } from 'vitest';
import { fromJson, structFromJson, structToJson, toJson } from './json-value.js';
import { field, struct, t } from './schema.js';

const Inner = struct('Inner', { n: field(1, t.i64), raw: field(2, t.binary) });
const Outer = struct('Outer', {
  name: field(1, t.string),
  params: field(2, t.map(t.string, t.string)),
  byList: field(3, t.map(t.list(t.string), t.string)),
  inner: field(4, t.list(t.struct(Inner))),
});

describe('Thrift values as JSON', () => {
  it('keeps 64-bit numbers, bytes and maps of any key, and comes back equal', () => {
    const value = {
      name: 'x',
      params: new Map([['a', '1']]),
      byList: new Map([[['k', 'v'], 's3://b/k=v']]),
      inner: [{ n: 9007199254740993n, raw: Buffer.from([0, 255]) }],
    };
    const json = JSON.parse(JSON.stringify(structToJson(Outer, value)));
    expect(json).toEqual({ name: 'x', params: { a: '1' }, byList: [[['k', 'v'], 's3://b/k=v']], inner: [{ n: '9007199254740993', raw: 'AP8=' }] });
    expect(structFromJson(Outer, json)).toEqual(value);
  });

  it('leaves out absent fields and reads back only declared ones', () => {
    expect(structToJson(Inner, { n: undefined })).toEqual({});
    expect(structFromJson(Inner, { n: '1', other: 'dropped' })).toEqual({ n: 1n });
    expect(fromJson(t.i32, toJson(t.i32, 5))).toBe(5);
  });
});
