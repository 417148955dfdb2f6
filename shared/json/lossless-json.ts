import { isInteger, isSafeNumber, parse, stringify } from 'lossless-json';

/**
 * JSON with 64-bit integers intact. Iceberg's snapshot ids are random longs far past 2^53: JSON.parse would round
 * them and a table would point at a snapshot that does not exist. Integers beyond the safe range become bigint;
 * everything else is what JSON.parse gives.
 */
export type Long = number | bigint;

function parseNumber(text: string): number | bigint {
  return isInteger(text) && !isSafeNumber(text) ? BigInt(text) : Number(text);
}

export function parseJsonLossless(text: string): unknown {
  return parse(text, null, parseNumber);
}

export function stringifyJsonLossless(value: unknown): string {
  const text = stringify(value);
  if (text === undefined) throw new TypeError('value cannot be represented as JSON');
  return text;
}

/** Two longs are the same whether either side arrived as number or bigint. */
export function sameLong(a: Long | null | undefined, b: Long | null | undefined): boolean {
  if (a === null || a === undefined || b === null || b === undefined) return a === b || (a == null && b == null);
  return BigInt(a) === BigInt(b);
}

/**
 * A body that is already JSON text: sent as is, never parsed and serialized again. Table metadata is kept as text
 * in the store, so a loadTable answer is spliced together rather than rebuilt.
 */
export class RawJson {
  constructor(readonly text: string) {}
}
