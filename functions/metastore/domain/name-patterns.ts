/**
 * The patterns of get_databases, get_tables and get_table_meta, as Hive's metastore reads them: alternatives
 * separated by '|', '*' for any run of characters, case-insensitive, matching the whole name. Hive hands the
 * rest to Java's regular expressions; here every other character stands for itself, so a pattern is never a
 * regular expression a client could make slow (names are letters, digits and '_' in practice).
 */
export function namePattern(pattern: string | undefined): (name: string) => boolean {
  if (pattern === undefined || pattern === '' || pattern === '*') return () => true;
  const alternatives = pattern.split('|').map((p) => p.trim().toLowerCase());
  const regexes = alternatives.map((p) => new RegExp(`^${p.split('*').map(escapeRegex).join('.*')}$`, 's'));
  return (name) => {
    const lower = name.toLowerCase();
    return regexes.some((r) => r.test(lower));
  };
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
