/**
 * Hive's partition names: `k1=v1/k2=v2`, key names in lower case, keys and values escaped as Hive escapes a path
 * segment (FileUtils.escapePathName: control characters, DEL and the characters of ESCAPED become %XX), so the name is
 * also the partition's directory under its table. Clients send names (get_partitions_by_names, statistics) and read
 * them (get_partition_names, SHOW PARTITIONS): they must be Hive's to the byte.
 */

/** The value Hive stores for a null or empty partition value. */
export const DEFAULT_PARTITION_NAME = '__HIVE_DEFAULT_PARTITION__';

const ESCAPED = new Set('"#%\'*/:=?\\\u007f{[]^');

function mustEscape(c: string): boolean {
  return c < ' ' || ESCAPED.has(c);
}

export function escapePathName(text: string): string {
  if (text.length === 0) return DEFAULT_PARTITION_NAME;
  let out = '';
  for (const c of text) out += mustEscape(c) ? `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}` : c;
  return out;
}

export function unescapePathName(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '%' && i + 2 < text.length && /^[0-9a-fA-F]{2}$/.test(text.slice(i + 1, i + 3))) {
      out += String.fromCharCode(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else out += c;
  }
  return out;
}

/** The name of the partition of these values under these keys (as many values as keys: checked by the caller). */
export function partitionName(keys: readonly string[], values: readonly string[]): string {
  return keys.map((k, i) => `${escapePathName(k.toLowerCase())}=${escapePathName(values[i] ?? '')}`).join('/');
}

/**
 * The values a partition name gives, in key order; undefined when it does not name exactly these keys in this
 * order (a name is only ever compared with the names this table's partitions have).
 */
export function partitionValuesOf(keys: readonly string[], name: string): string[] | undefined {
  const parts = name.split('/');
  if (parts.length !== keys.length) return undefined;
  const values: string[] = [];
  for (let i = 0; i < parts.length; i++) {
    const eq = parts[i]!.indexOf('=');
    if (eq <= 0) return undefined;
    if (unescapePathName(parts[i]!.slice(0, eq)).toLowerCase() !== keys[i]!.toLowerCase()) return undefined;
    values.push(unescapePathName(parts[i]!.slice(eq + 1)));
  }
  return values;
}
