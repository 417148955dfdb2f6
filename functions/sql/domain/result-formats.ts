import {
  Binary,
  Bool,
  DateDay,
  Decimal,
  Field,
  Float32,
  Float64,
  Int16,
  Int32,
  Int64,
  Int8,
  Null,
  RecordBatch,
  Schema,
  Struct,
  TimestampMicrosecond,
  Utf8,
  makeData,
  tableToIPC,
  Table,
  vectorFromArray,
  type DataType,
  type Data,
} from 'apache-arrow';

/** A result column as the manifest shows it (Databricks' ColumnInfo). */
export interface ResultColumn {
  name: string;
  type_name: string;
  type_text: string;
  position: number;
  type_precision?: number;
  type_scale?: number;
}

export type Row = Array<string | null>;

/** RFC 4180: a header of the column names, then the rows; null is an empty field, "" a quoted empty string. */
export function toCsv(columns: readonly ResultColumn[], rows: readonly Row[], header: boolean): string {
  const field = (v: string | null) => (v === null ? '' : v === '' || /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  const lines = rows.map((r) => r.map(field).join(','));
  if (header) lines.unshift(columns.map((c) => field(c.name)).join(','));
  return lines.length ? `${lines.join('\r\n')}\r\n` : '';
}

/**
 * An Arrow IPC stream of the rows, typed from the columns: integers, floats, booleans, dates, timestamps (microseconds,
 * without a zone: Spark's text is in the lakehouse session's zone) and decimals (128-bit) as Arrow's own types;
 * strings, intervals and complex values (Spark's JSON text of them) as Utf8; binary as Binary.
 */
export function toArrowStream(columns: readonly ResultColumn[], rows: readonly Row[]): Uint8Array {
  const fields: Field[] = [];
  const children: Data[] = [];
  columns.forEach((c, i) => {
    const values = rows.map((r) => r[i] ?? null);
    const data = columnData(c, values);
    fields.push(new Field(c.name, data.type, true, new Map([['type_text', c.type_text]])));
    children.push(data);
  });
  const schema = new Schema(fields);
  const struct = makeData({ type: new Struct(fields), length: rows.length, nullCount: 0, children });
  const table = new Table(schema, rows.length > 0 || columns.length > 0 ? [new RecordBatch(schema, struct)] : []);
  return tableToIPC(table, 'stream');
}

function nullBitmap(values: readonly (string | null)[]): { nullBitmap: Uint8Array; nullCount: number } {
  const bitmap = new Uint8Array(Math.ceil(values.length / 8));
  let nullCount = 0;
  values.forEach((v, i) => {
    if (v === null) nullCount++;
    else bitmap[i >> 3]! |= 1 << (i & 7);
  });
  return { nullBitmap: bitmap, nullCount };
}

function fixed<T extends DataType>(
  type: T,
  values: readonly (string | null)[],
  array: { length: number; [i: number]: number | bigint },
  parse: (v: string) => number | bigint,
): Data<T> {
  values.forEach((v, i) => {
    if (v !== null) array[i] = parse(v);
  });
  return makeData({ type, length: values.length, data: array, ...nullBitmap(values) } as never) as Data<T>;
}

const DAY_MS = 86_400_000;

function epochMicros(text: string): bigint {
  const m = /^(\d{4,})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?/.exec(text);
  if (!m) return 0n;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
  const fraction = (m[7] ?? '').padEnd(6, '0').slice(0, 6);
  return BigInt(ms) * 1000n + BigInt(fraction || '0');
}

function decimalWords(text: string, scale: number): bigint {
  const negative = text.startsWith('-');
  const [whole = '0', part = ''] = text.replace(/^[+-]/, '').split('.');
  const unscaled = BigInt(whole + part.padEnd(scale, '0').slice(0, scale));
  return negative ? -unscaled : unscaled;
}

function columnData(c: ResultColumn, values: readonly (string | null)[]): Data {
  const n = values.length;
  switch (c.type_name) {
    case 'BOOLEAN':
      return vectorFromArray(
        values.map((v) => (v === null ? null : v === 'true')),
        new Bool(),
      ).data[0]!;
    case 'TINYINT':
      return fixed(new Int8(), values, new Int8Array(n), Number);
    case 'SMALLINT':
      return fixed(new Int16(), values, new Int16Array(n), Number);
    case 'INT':
      return fixed(new Int32(), values, new Int32Array(n), Number);
    case 'BIGINT':
      return fixed(new Int64(), values, new BigInt64Array(n), (v) => BigInt(v));
    case 'FLOAT':
      return fixed(new Float32(), values, new Float32Array(n), Number);
    case 'DOUBLE':
      return fixed(new Float64(), values, new Float64Array(n), Number);
    case 'DATE':
      return fixed(new DateDay(), values, new Int32Array(n), (v) => Math.floor(Date.parse(`${v}T00:00:00Z`) / DAY_MS));
    case 'TIMESTAMP':
      return fixed(new TimestampMicrosecond(), values, new BigInt64Array(n), epochMicros);
    case 'DECIMAL': {
      const scale = c.type_scale ?? 0;
      const words = new Uint32Array(n * 4);
      values.forEach((v, i) => {
        if (v === null) return;
        let x = BigInt.asUintN(128, decimalWords(v, scale));
        for (let w = 0; w < 4; w++) {
          words[i * 4 + w] = Number(x & 0xffffffffn);
          x >>= 32n;
        }
      });
      return makeData({ type: new Decimal(scale, c.type_precision ?? 38, 128), length: n, data: words, ...nullBitmap(values) } as never);
    }
    case 'BINARY':
      return vectorFromArray(
        values.map((v) => (v === null ? null : Buffer.from(v, 'base64'))),
        new Binary(),
      ).data[0]!;
    case 'NULL':
      return makeData({ type: new Null(), length: n, nullCount: n } as never);
    default:
      return vectorFromArray(values as (string | null)[], new Utf8()).data[0]!;
  }
}

/** The manifest's column of an engine column: Databricks' type_name, and type_text as Spark spells the type. */
export function resultColumn(c: { name: string; typeName: string; precision?: number; scale?: number; position: number }): ResultColumn {
  const typeName =
    c.typeName === 'VARCHAR' || c.typeName === 'CHAR'
      ? 'STRING'
      : c.typeName === 'INTERVAL_YEAR_MONTH' || c.typeName === 'INTERVAL_DAY_TIME'
        ? 'INTERVAL'
        : c.typeName;
  const out: ResultColumn = { name: c.name, type_name: typeName, type_text: typeText(typeName, c), position: c.position };
  if (typeName === 'DECIMAL') {
    out.type_precision = c.precision ?? 10;
    out.type_scale = c.scale ?? 0;
  }
  return out;
}

function typeText(typeName: string, c: { precision?: number; scale?: number }): string {
  if (typeName === 'DECIMAL') return `DECIMAL(${c.precision ?? 10},${c.scale ?? 0})`;
  if (typeName === 'NULL') return 'VOID';
  return typeName;
}
