import type { ColumnDesc, ThriftColumn } from './hive-connection.js';

/** A row as the API keeps it: every value a string (Spark's own text for it) or null. */
export type Row = Array<string | null>;

const KINDS = ['boolVal', 'byteVal', 'i16Val', 'i32Val', 'i64Val', 'doubleVal', 'stringVal', 'binaryVal'] as const;

/**
 * Turns HiveServer2's columnar rows into rows of strings. Spark sends decimals, dates, timestamps, intervals and
 * complex values as strings already; numbers come typed and are written as Spark writes them (a FLOAT travels as a
 * double and is given back its shortest float text; 64-bit integers are read exactly from their bytes).
 */
export function decodeRows(columns: readonly ThriftColumn[], descs: readonly ColumnDesc[]): Row[] {
  const decoded = columns.map((c, i) => decodeColumn(c, descs[i]?.typeName ?? 'STRING'));
  const count = decoded.reduce((n, c) => Math.max(n, c.length), 0);
  const rows: Row[] = new Array(count);
  for (let r = 0; r < count; r++) {
    const row: Row = new Array(decoded.length);
    for (let c = 0; c < decoded.length; c++) row[c] = decoded[c]![r] ?? null;
    rows[r] = row;
  }
  return rows;
}

function decodeColumn(column: ThriftColumn, typeName: string): Row {
  const kind = KINDS.find((k) => column[k]);
  if (!kind) return [];
  const { values, nulls } = column[kind]!;
  const out: Row = new Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const isNull = nulls && nulls.length > i >> 3 && (nulls[i >> 3]! & (1 << (i & 7))) !== 0;
    out[i] = isNull ? null : text(kind, values[i], typeName);
  }
  return out;
}

function text(kind: (typeof KINDS)[number], value: unknown, typeName: string): string {
  switch (kind) {
    case 'boolVal':
      return value ? 'true' : 'false';
    case 'i64Val': {
      const v = value as { buffer: Buffer; offset: number };
      return v.buffer.readBigInt64BE(v.offset).toString();
    }
    case 'doubleVal':
      return typeName === 'FLOAT' ? floatText(value as number) : doubleText(value as number);
    case 'binaryVal':
      return Buffer.isBuffer(value) ? value.toString('base64') : String(value);
    default:
      return String(value);
  }
}

/** A double as Spark (Java's Double.toString) writes it: 1.0, 0.001, 1.0E7, 1.5E-4, NaN, Infinity. */
function doubleText(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return 'Infinity';
  if (v === -Infinity) return '-Infinity';
  if (v === 0) return Object.is(v, -0) ? '-0.0' : '0.0';
  const abs = Math.abs(v);
  if (abs >= 1e-3 && abs < 1e7) {
    const s = String(v);
    return s.includes('.') || s.includes('e') ? s : `${s}.0`;
  }
  const [mantissa = '', exponent = '0'] = v.toExponential().split('e');
  return `${mantissa.includes('.') ? mantissa : `${mantissa}.0`}E${Number(exponent)}`;
}

/** The shortest decimal text that reads back as the same 32-bit float. */
function floatText(v: number): string {
  if (!Number.isFinite(v)) return doubleText(v);
  for (let p = 1; p <= 9; p++) {
    const t = Number(v.toPrecision(p));
    if (Math.fround(t) === Math.fround(v)) return doubleText(t);
  }
  return doubleText(v);
}
