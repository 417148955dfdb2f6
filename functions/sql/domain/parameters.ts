import type { FieldProblem } from '../../../shared/errors/index.js';

/** A named parameter as the statement API takes it (Databricks' StatementParameterListItem). */
export interface StatementParameter {
  name: string;
  value?: string | null | undefined;
  type?: string | undefined;
}

const INTEGERS: Record<string, { suffix: string; bits: number }> = {
  TINYINT: { suffix: 'Y', bits: 8 },
  BYTE: { suffix: 'Y', bits: 8 },
  SMALLINT: { suffix: 'S', bits: 16 },
  SHORT: { suffix: 'S', bits: 16 },
  INT: { suffix: '', bits: 32 },
  INTEGER: { suffix: '', bits: 32 },
  BIGINT: { suffix: 'L', bits: 64 },
  LONG: { suffix: 'L', bits: 64 },
};
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const DECIMAL_TYPE = /^DECIMAL(?:\s*\(\s*(\d{1,2})\s*(?:,\s*(\d{1,2})\s*)?\))?$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(:(\d{2})(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/;
export const PARAMETER_TYPES = 'STRING, BOOLEAN, TINYINT, SMALLINT, INT, BIGINT, FLOAT, DOUBLE, DECIMAL(p,s), DATE, TIMESTAMP, VOID';

function validDate(y: string, m: string, d: string): boolean {
  const date = new Date(Date.UTC(Number(y), Number(m) - 1, Number(d)));
  return date.getUTCFullYear() === Number(y) && date.getUTCMonth() === Number(m) - 1 && date.getUTCDate() === Number(d);
}

/**
 * The SQL literal of a parameter, or why its value is not of its type. Strings with a quote or a backslash become a
 * cast of their UTF-8 bytes (X'…'), which reads the same whatever Spark's string escaping setting is: no value can
 * end its literal early.
 */
export function literalOf(p: StatementParameter): { sql: string } | { problem: string } {
  const type = (p.type ?? 'STRING').trim().toUpperCase();
  const value = p.value;
  const decimal = DECIMAL_TYPE.exec(type);
  const known =
    type === 'STRING' ||
    type === 'BOOLEAN' ||
    type === 'FLOAT' ||
    type === 'DOUBLE' ||
    type === 'DATE' ||
    type === 'TIMESTAMP' ||
    type === 'VOID' ||
    INTEGERS[type] ||
    decimal;
  if (!known) return { problem: `type ${p.type} is not one of ${PARAMETER_TYPES}` };
  const sqlType = decimal ? `DECIMAL(${decimal[1] ?? 10},${decimal[2] ?? 0})` : type === 'VOID' ? 'VOID' : type;
  if (value === undefined || value === null || type === 'VOID') return { sql: type === 'VOID' || type === 'STRING' ? 'NULL' : `CAST(NULL AS ${sqlType})` };
  if (type === 'STRING') return { sql: /^[^'\\]*$/.test(value) ? `'${value}'` : `CAST(X'${Buffer.from(value, 'utf8').toString('hex')}' AS STRING)` };
  if (type === 'BOOLEAN') {
    if (!/^(true|false)$/i.test(value)) return { problem: `value ${JSON.stringify(value)} is not a BOOLEAN (true or false)` };
    return { sql: value.toUpperCase() };
  }
  const int = INTEGERS[type];
  if (int) {
    if (!/^[+-]?\d+$/.test(value)) return { problem: `value ${JSON.stringify(value)} is not an integer` };
    const n = BigInt(value);
    const max = (1n << BigInt(int.bits - 1)) - 1n;
    if (n > max || n < -max - 1n) return { problem: `value ${value} is out of the range of ${type}` };
    return { sql: `${n < 0n ? `(${n})` : n}${int.suffix}` };
  }
  if (type === 'FLOAT' || type === 'DOUBLE') {
    if (!NUMBER.test(value)) return { problem: `value ${JSON.stringify(value)} is not a number` };
    return { sql: `CAST('${value}' AS ${type})` };
  }
  if (decimal) {
    const precision = Number(decimal[1] ?? 10);
    const scale = Number(decimal[2] ?? 0);
    if (precision < 1 || precision > 38 || scale > precision) return { problem: `type ${p.type}: precision must be 1 to 38 and scale at most the precision` };
    if (!/^[+-]?(\d+\.?\d*|\.\d+)$/.test(value)) return { problem: `value ${JSON.stringify(value)} is not a decimal number` };
    const digits = value.replace(/^[+-]/, '').split('.')[0]!.replace(/^0+/, '').length;
    if (digits > precision - scale) return { problem: `value ${value} does not fit ${sqlType}` };
    return { sql: `CAST('${value}' AS ${sqlType})` };
  }
  if (type === 'DATE') {
    const m = DATE.exec(value);
    if (!m || !validDate(m[1]!, m[2]!, m[3]!)) return { problem: `value ${JSON.stringify(value)} is not a DATE (yyyy-mm-dd)` };
    return { sql: `DATE'${value}'` };
  }
  const m = TIMESTAMP.exec(value);
  if (!m || !validDate(m[1]!, m[2]!, m[3]!) || Number(m[4]) > 23 || Number(m[5]) > 59 || Number(m[7] ?? 0) > 59) {
    return { problem: `value ${JSON.stringify(value)} is not a TIMESTAMP (yyyy-mm-dd hh:mm[:ss[.fff]][zone])` };
  }
  return { sql: `TIMESTAMP'${value}'` };
}

/**
 * Replaces each :name marker by its parameter's literal. Markers are found in the SQL text only: not inside quoted
 * strings, quoted identifiers or comments, and not in `::`. A marker without a parameter, a parameter no marker
 * uses, a repeated name and a value not of its type are each a problem naming the parameter. Without parameters the
 * text is left as it is (a `:` in it means what Spark makes of it).
 */
export function renderStatement(statement: string, parameters: readonly StatementParameter[]): { sql: string } | { problems: FieldProblem[] } {
  if (parameters.length === 0) return { sql: statement };
  const problems: FieldProblem[] = [];
  const literals = new Map<string, string>();
  parameters.forEach((p, i) => {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(p.name))
      problems.push({ in: 'body', field: `parameters.${i}.name`, message: `${JSON.stringify(p.name)} is not a parameter name (letters, digits, _)` });
    else if (literals.has(p.name)) problems.push({ in: 'body', field: `parameters.${i}.name`, message: `parameter ${p.name} is given twice` });
    const literal = literalOf(p);
    if ('problem' in literal) problems.push({ in: 'body', field: `parameters.${i}`, message: `parameter ${p.name}: ${literal.problem}` });
    else literals.set(p.name, literal.sql);
  });
  const used = new Set<string>();
  let out = '';
  let i = 0;
  const n = statement.length;
  while (i < n) {
    const c = statement[i]!;
    const next = statement[i + 1];
    if (c === "'" || c === '"' || c === '`') {
      let j = i + 1;
      while (j < n && statement[j] !== c) j += statement[j] === '\\' && c !== '`' ? 2 : 1;
      out += statement.slice(i, j + 1);
      i = j + 1;
    } else if (c === '-' && next === '-') {
      const j = statement.indexOf('\n', i);
      const end = j < 0 ? n : j;
      out += statement.slice(i, end);
      i = end;
    } else if (c === '/' && next === '*') {
      const j = statement.indexOf('*/', i + 2);
      const end = j < 0 ? n : j + 2;
      out += statement.slice(i, end);
      i = end;
    } else if (c === ':' && next === ':') {
      out += '::';
      i += 2;
    } else if (c === ':' && next !== undefined && /[A-Za-z_]/.test(next)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(statement.slice(i + 1))!;
      const name = m[0];
      used.add(name);
      const index = parameters.findIndex((p) => p.name === name);
      if (index < 0) problems.push({ in: 'body', field: 'parameters', message: `the statement uses :${name} but no parameter ${name} is given` });
      out += literals.get(name) ?? '';
      i += 1 + name.length;
    } else {
      out += c;
      i += 1;
    }
  }
  parameters.forEach((p, idx) => {
    if (!used.has(p.name) && /^[A-Za-z_][A-Za-z0-9_]*$/.test(p.name))
      problems.push({ in: 'body', field: `parameters.${idx}.name`, message: `parameter ${p.name} is not used by the statement (no :${p.name} in it)` });
  });
  return problems.length > 0 ? { problems } : { sql: out };
}
