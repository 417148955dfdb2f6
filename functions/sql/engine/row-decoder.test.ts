import { describe, expect, it } from 'vitest';
import { decodeRows } from './row-decoder.js';

const col = (kind: string, values: unknown[], nullAt: number[] = []) => {
  const nulls = Buffer.alloc(Math.ceil(values.length / 8));
  for (const i of nullAt) nulls[i >> 3]! |= 1 << (i & 7);
  return { [kind]: { values, nulls } };
};

describe('decodeRows', () => {
  it('writes numbers as Spark does, nulls as null, 64-bit integers exactly', () => {
    const big = Buffer.alloc(8);
    big.writeBigInt64BE(-9223372036854775808n);
    const rows = decodeRows(
      [
        col('doubleVal', [0, 1, 0.001, 1e7, 1.5e-4, 24999.75, NaN], [6]),
        col('doubleVal', [1.100000023841858, 3, 0, 0, 0, 0, 0]),
        col('i64Val', Array(7).fill({ buffer: big, offset: 0 })),
      ],
      [
        { name: 'd', typeName: 'DOUBLE', position: 0 },
        { name: 'f', typeName: 'FLOAT', position: 1 },
        { name: 'b', typeName: 'BIGINT', position: 2 },
      ],
    );
    expect(rows.map((r) => r[0])).toEqual(['0.0', '1.0', '0.001', '1.0E7', '1.5E-4', '24999.75', null]);
    expect(rows.slice(0, 2).map((r) => r[1])).toEqual(['1.1', '3.0']);
    expect(rows[0]![2]).toBe('-9223372036854775808');
  });
});
