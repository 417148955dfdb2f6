import { calls, type CallName } from './hms/calls.js';
import { asDeclaredBy } from './metastore-errors.js';
import type { MetastoreSession } from './metastore-session.js';
import { alterDatabase, createDatabase, dropDatabase, getDatabase, listDatabases } from './handlers/databases.js';
import {
  addPartitions,
  alterPartitions,
  dropPartition,
  getPartition,
  getPartitionByName,
  getPartitionNames,
  getPartitionNamesBySpec,
  getPartitions,
  getPartitionsByFilter,
  getPartitionsByNames,
  getPartitionsBySpec,
} from './handlers/partitions.js';
import { currentNotificationEventId, getConfigValue, setUgi } from './handlers/session-calls.js';
import { requirePrincipal } from './handlers/access.js';
import { deleteColumnStatistics, getColumnStatistics, getPartitionsStatistics, getTableStatistics, updateColumnStatistics } from './handlers/statistics.js';
import { alterTable, createTable, dropTable } from './handlers/table-changes.js';
import { getColumns, getTable, getTableMeta, getTablesByName, listTables } from './handlers/table-reads.js';
import type { Handler, MethodDef, ServiceImplementation } from './thrift/service.js';

type Handlers = { [K in CallName]: Handler<(typeof calls)[K]> };

/** Every call the metastore serves, bound to one connection's session. */
function handlersFor(s: MetastoreSession): Handlers {
  return {
    set_ugi: (a) => setUgi(s, a.user_name, a.group_names),
    get_config_value: async (a) => getConfigValue(a.name, a.defaultValue),
    get_current_notificationEventId: () => currentNotificationEventId(s),
    shutdown: async () => {},

    create_database: (a) => createDatabase(s, a.database),
    get_database: (a) => getDatabase(s, a.name),
    drop_database: (a) => dropDatabase(s, a.name, a.deleteData ?? false, a.cascade ?? false),
    get_databases: (a) => listDatabases(s, a.pattern),
    get_all_databases: () => listDatabases(s, undefined),
    alter_database: (a) => alterDatabase(s, a.dbname, a.db),

    get_fields: (a) => getColumns(s, a.db_name, a.table_name, false),
    get_schema: (a) => getColumns(s, a.db_name, a.table_name, true),
    create_table: (a) => createTable(s, a.tbl),
    create_table_with_environment_context: (a) => createTable(s, a.tbl),
    drop_table: (a) => dropTable(s, a.dbname, a.name, a.deleteData ?? false),
    drop_table_with_environment_context: (a) => dropTable(s, a.dbname, a.name, a.deleteData ?? false),
    get_tables: (a) => listTables(s, a.db_name, a.pattern),
    get_tables_by_type: (a) => listTables(s, a.db_name, a.pattern, a.tableType),
    get_all_tables: (a) => listTables(s, a.db_name, undefined),
    get_table: (a) => getTable(s, a.dbname, a.tbl_name),
    get_table_req: async (a) => ({ table: await getTable(s, a.req?.dbName, a.req?.tblName) }),
    get_table_objects_by_name: (a) => getTablesByName(s, a.dbname, a.tbl_names),
    get_table_meta: (a) => getTableMeta(s, a.db_patterns, a.tbl_patterns, a.tbl_types),
    alter_table: (a) => alterTable(s, a.dbname, a.tbl_name, a.new_tbl),
    alter_table_with_environment_context: (a) => alterTable(s, a.dbname, a.tbl_name, a.new_tbl),

    add_partition: async (a) => {
      const [added] = await addPartitions(s, a.new_part ? [a.new_part] : [], { ifNotExists: false });
      return added!;
    },
    add_partitions: async (a) => (await addPartitions(s, a.new_parts ?? [], { ifNotExists: false })).length,
    add_partitions_req: async (a) => {
      const r = a.request;
      const added = await addPartitions(s, r?.parts ?? [], { ifNotExists: r?.ifNotExists ?? false, db: r?.dbName, table: r?.tblName });
      return r?.needResult === false ? {} : { partitions: added };
    },
    drop_partition: (a) => dropPartition(s, a.db_name, a.tbl_name, { values: a.part_vals ?? [] }, a.deleteData ?? false),
    drop_partition_with_environment_context: (a) => dropPartition(s, a.db_name, a.tbl_name, { values: a.part_vals ?? [] }, a.deleteData ?? false),
    drop_partition_by_name: (a) => dropPartition(s, a.db_name, a.tbl_name, { name: a.part_name ?? '' }, a.deleteData ?? false),
    get_partition: (a) => getPartition(s, a.db_name, a.tbl_name, a.part_vals),
    get_partition_by_name: (a) => getPartitionByName(s, a.db_name, a.tbl_name, a.part_name),
    get_partitions: (a) => getPartitions(s, a.db_name, a.tbl_name, a.max_parts),
    get_partition_names: (a) => getPartitionNames(s, a.db_name, a.tbl_name, a.max_parts),
    get_partition_names_ps: (a) => getPartitionNamesBySpec(s, a.db_name, a.tbl_name, a.part_vals, a.max_parts),
    get_partitions_ps: (a) => getPartitionsBySpec(s, a.db_name, a.tbl_name, a.part_vals, a.max_parts),
    get_partitions_ps_with_auth: (a) => getPartitionsBySpec(s, a.db_name, a.tbl_name, a.part_vals, a.max_parts),
    get_partitions_by_filter: (a) => getPartitionsByFilter(s, a.db_name, a.tbl_name, a.filter, a.max_parts),
    get_partitions_by_names: (a) => getPartitionsByNames(s, a.db_name, a.tbl_name, a.names),
    alter_partition: (a) => alterPartitions(s, a.db_name, a.tbl_name, a.new_part ? [a.new_part] : []),
    alter_partitions: (a) => alterPartitions(s, a.db_name, a.tbl_name, a.new_parts ?? []),

    get_all_functions: async () => ({ functions: [] }),
    get_functions: async () => [],

    update_table_column_statistics: (a) => updateColumnStatistics(s, a.stats_obj, false),
    update_partition_column_statistics: (a) => updateColumnStatistics(s, a.stats_obj, true),
    get_table_column_statistics: (a) => getColumnStatistics(s, a.db_name, a.tbl_name, undefined, a.col_name),
    get_partition_column_statistics: (a) => getColumnStatistics(s, a.db_name, a.tbl_name, a.part_name ?? '', a.col_name),
    get_table_statistics_req: async (a) => ({ tableStats: await getTableStatistics(s, a.request?.dbName, a.request?.tblName, a.request?.colNames ?? []) }),
    get_partitions_statistics_req: async (a) => ({
      partStats: await getPartitionsStatistics(s, a.request?.dbName, a.request?.tblName, a.request?.colNames ?? [], a.request?.partNames ?? []),
    }),
    delete_table_column_statistics: (a) => deleteColumnStatistics(s, a.db_name, a.tbl_name, undefined, a.col_name),
    delete_partition_column_statistics: (a) => deleteColumnStatistics(s, a.db_name, a.tbl_name, a.part_name ?? '', a.col_name),
  };
}

/** What a connection may call before it authenticated: set_ugi itself, and the goodbye. Nothing else answers. */
const OPEN_CALLS: ReadonlySet<string> = new Set(['set_ugi', 'shutdown']);

/** The ThriftHiveMetastore service as one connection sees it. */
export function metastoreService(s: MetastoreSession): ServiceImplementation {
  const bound = handlersFor(s) as unknown as Record<string, (args: Record<string, unknown>) => Promise<unknown>>;
  const methods = new Map<string, { def: MethodDef; handle: (args: Record<string, unknown>) => Promise<unknown> }>();
  for (const [name, def] of Object.entries(calls) as Array<[string, MethodDef]>) {
    const handle = bound[name]!;
    methods.set(name, {
      def,
      handle: async (args) => {
        try {
          if (!OPEN_CALLS.has(name)) requirePrincipal(s);
          return await handle(args);
        } catch (err) {
          throw asDeclaredBy(def, err);
        }
      },
    });
  }
  return {
    methods,
    unknownMethod: (name) =>
      `Lakeplane's metastore does not serve ${name}: it serves the calls Spark's Hive client and Trino's Hive connector make (README, "Hive Metastore")`,
    internalError: (name, err) => {
      s.platform.logger.error({ err, call: name }, 'metastore call failed');
      return `the metastore failed to answer ${name}: an internal error, logged with the call's name`;
    },
  };
}
