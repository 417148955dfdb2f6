import { tableFromIPC } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { toArrowStream, toCsv, type ResultColumn } from './result-formats.js';

const columns: ResultColumn[] = [
  { name: 'id', type_name: 'BIGINT', type_text: 'BIGINT', position: 0 },
  { name: 'amount', type_name: 'DECIMAL', type_text: 'DECIMAL(10,2)', position: 1, type_precision: 10, type_scale: 2 },
  { name: 'at', type_name: 'TIMESTAMP', type_text: 'TIMESTAMP', position: 2 },
  { name: 'note', type_name: 'STRING', type_text: 'STRING', position: 3 },
];
const rows = [
  ['9223372036854775807', '-3.50', '2024-01-02 03:04:05.123456', 'a, "b"'],
  [null, null, null, ''],
];

describe('result formats', () => {
  it('CSV: RFC 4180 quoting, null as an empty field, the empty string quoted', () => {
    expect(toCsv(columns, rows, true)).toBe('id,amount,at,note\r\n9223372036854775807,-3.50,2024-01-02 03:04:05.123456,"a, ""b"""\r\n,,,""\r\n');
    expect(toCsv(columns, [], false)).toBe('');
  });
  it('Arrow: typed from the columns, exact', () => {
    const t = tableFromIPC(toArrowStream(columns, rows));
    expect(t.schema.fields.map((f) => String(f.type))).toEqual(['Int64', 'Decimal[10e+2]', 'Timestamp<MICROSECOND>', 'Utf8']);
    expect(t.getChild('id')!.get(0)).toBe(9223372036854775807n);
    expect(String(t.getChild('amount')!.get(0))).toBe('-350');
    expect(t.getChild('id')!.get(1)).toBeNull();
    expect(t.getChild('note')!.get(1)).toBe('');
  });
});
