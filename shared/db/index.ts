export { openMetadataStore, type Db, type Tx, type Executor, type MetadataStore, type StoreOptions } from './database.js';
export { inTransaction } from './in-transaction.js';
export { migrateToLatest } from './migrate.js';
export { checkAppliedMigrations, MigrationChangedError } from './migration-checksums.js';
export { isUniqueViolation, translateDatabaseError, withDatabaseErrors } from './sql-errors.js';
export type * from './schema.js';
export { textArray } from './sql-values.js';
export { prepareStatement } from './prepared-statements.js';
export { isDatabaseUnavailable } from './connection-errors.js';
