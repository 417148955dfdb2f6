import { sql, type RawBuilder } from 'kysely';

/**
 * A text[] value. Both drivers take it as array[$1, $2]::text[]: a JS array as one parameter would be serialized
 * differently by pg and PGlite (and kysely spreads arrays into lists on `=`).
 */
export function textArray(values: readonly string[]): RawBuilder<string[]> {
  return sql<string[]>`array[${sql.join(values.map((v) => sql.val(v)))}]::text[]`;
}
