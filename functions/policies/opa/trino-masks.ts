import type { ColumnMask } from '../../../shared/policy/index.js';

/** A column name as a Trino identifier. */
export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * A mask as a Trino SQL expression over the column, keeping its type so the query's shape does not change. Strings
 * are masked character by character; MASK_HASH is SHA-256 in hex; MASK_DATE_SHOW_YEAR truncates to the year.
 */
export function trinoMaskExpression(mask: ColumnMask, column: string, columnType = 'varchar'): string | undefined {
  const col = quoteIdentifier(column);
  const text = `cast(${col} as varchar)`;
  const back = (e: string) => `cast(${e} as ${columnType})`;
  switch (mask.type) {
    case 'MASK':
      return back(`regexp_replace(regexp_replace(regexp_replace(${text}, '[A-Z]', 'X'), '[a-z]', 'x'), '[0-9]', '0')`);
    case 'MASK_SHOW_LAST_4':
      return back(`regexp_replace(substr(${text}, 1, greatest(length(${text}) - 4, 0)), '.', 'X') || substr(${text}, greatest(length(${text}) - 3, 1))`);
    case 'MASK_SHOW_FIRST_4':
      return back(`substr(${text}, 1, 4) || regexp_replace(substr(${text}, 5), '.', 'X')`);
    case 'MASK_HASH':
      return back(`to_hex(sha256(to_utf8(${text})))`);
    case 'MASK_NULL':
      return `cast(NULL as ${columnType})`;
    case 'MASK_DATE_SHOW_YEAR':
      return `date_trunc('year', ${col})`;
    case 'CUSTOM':
      return mask.template === undefined ? undefined : mask.template.replaceAll('{col}', col).replaceAll('{type}', columnType);
  }
}
