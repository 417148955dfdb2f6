import { defineFunction, periodic, type Worker } from '../../shared/http/index.js';
import { sqlContext } from './execution/sql-runtime.js';
import { stopRunningStatements, sweepStatements } from './execution/sweeper.js';
import { statementRoutes } from './routes/statement-routes.js';
import { SqlEvents } from './sql-events.js';

/** The process's statements: a sweep at start (statements a dead process left), and ending its own when it stops. */
const lifecycle: Worker = async (platform) => {
  await sweepStatements(platform).catch((err: unknown) => platform.logger.error({ err }, 'sweeping SQL statements failed'));
  return () => stopRunningStatements(platform);
};

/** The SQL statement API: statements run on lakehouses as their callers, results kept in chunks, history. */
export const sql = defineFunction({
  name: 'sql',
  description:
    "SQL statements on lakehouses (Databricks' Statement Execution API): run as the caller over HiveServer2, results stored in chunks (JSON_ARRAY, CSV, ARROW_STREAM) until they expire, cancel, history.",
  routes: statementRoutes,
  context: sqlContext,
  workers: [lifecycle],
  // Expired results, statements of processes that died.
  periodic: [periodic('SQL statement sweep', sweepStatements, (c) => c.LAKEPLANE_SQL_SWEEP_MS)],
  publishes: Object.values(SqlEvents),
});
