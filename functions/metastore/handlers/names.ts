/** Hive's rule for database, table and column names (MetaStoreUtils.validateName): letters, digits and '_'. */
export function validName(name: string): boolean {
  return /^[A-Za-z0-9_]+$/.test(name);
}
