import { field, required, struct, t } from '../thrift/schema.js';
import { method } from '../thrift/service.js';
import {
  AlreadyExistsException,
  ColumnStatistics,
  ColumnStatisticsObj,
  ConfigValSecurityException,
  Database,
  FieldSchema,
  InvalidInputException,
  InvalidObjectException,
  InvalidOperationException,
  MetaException,
  NoSuchObjectException,
  Partition,
  Table,
  UnknownDBException,
  UnknownTableException,
} from './structs.js';

/*
 * The ThriftHiveMetastore calls the metastore function serves, as Hive's IDL declares them: argument ids, return
 * type, and each declared exception's result field id (a client maps the id to the exception's class, so they must
 * match: drop_table's MetaException is field 2). Which calls: those the real clients make (test/metastore/recorded),
 * and those issue 22 names.
 */

export const EnvironmentContext = struct('EnvironmentContext', { properties: field(1, t.map(t.string, t.string)) });

export const AddPartitionsRequest = struct('AddPartitionsRequest', {
  dbName: required(1, t.string),
  tblName: required(2, t.string),
  parts: required(3, t.list(t.struct(Partition))),
  ifNotExists: required(4, t.bool),
  needResult: field(5, t.bool),
  catName: field(6, t.string),
});
export const AddPartitionsResult = struct('AddPartitionsResult', { partitions: field(1, t.list(t.struct(Partition))) });

export const ClientCapabilities = struct('ClientCapabilities', { values: required(1, t.list(t.i32)) });
export const GetTableRequest = struct('GetTableRequest', {
  dbName: required(1, t.string),
  tblName: required(2, t.string),
  capabilities: field(3, t.struct(ClientCapabilities)),
  catName: field(4, t.string),
});
export const GetTableResult = struct('GetTableResult', { table: required(1, t.struct(Table)) });
export const TableMeta = struct('TableMeta', {
  dbName: required(1, t.string),
  tableName: required(2, t.string),
  tableType: required(3, t.string),
  comments: field(4, t.string),
  catName: field(5, t.string),
});
// The statistics requests: `engine` (Hive 4's required field 6/7) is never sent by Trino 476 nor Hive 2.3.9 clients.
export const TableStatsRequest = struct('TableStatsRequest', {
  dbName: required(1, t.string),
  tblName: required(2, t.string),
  colNames: required(3, t.list(t.string)),
  catName: field(4, t.string),
});
export const TableStatsResult = struct('TableStatsResult', { tableStats: required(1, t.list(t.struct(ColumnStatisticsObj))) });
export const PartitionsStatsRequest = struct('PartitionsStatsRequest', {
  dbName: required(1, t.string),
  tblName: required(2, t.string),
  colNames: required(3, t.list(t.string)),
  partNames: required(4, t.list(t.string)),
  catName: field(5, t.string),
});
export const PartitionsStatsResult = struct('PartitionsStatsResult', {
  partStats: required(1, t.map(t.string, t.list(t.struct(ColumnStatisticsObj)))),
});

export const ResourceUri = struct('ResourceUri', { resourceType: field(1, t.i32), uri: field(2, t.string) });
export const HiveFunction = struct('Function', {
  functionName: field(1, t.string),
  dbName: field(2, t.string),
  className: field(3, t.string),
  ownerName: field(4, t.string),
  ownerType: field(5, t.i32),
  createTime: field(6, t.i32),
  functionType: field(7, t.i32),
  resourceUris: field(8, t.list(t.struct(ResourceUri))),
});
export const GetAllFunctionsResponse = struct('GetAllFunctionsResponse', { functions: field(1, t.list(t.struct(HiveFunction))) });

export const CurrentNotificationEventId = struct('CurrentNotificationEventId', { eventId: required(1, t.i64) });

const ex = (id: number, s: typeof MetaException) => ({ id, struct: s });
const str = t.string;
const strings = t.list(t.string);
const maxParts = field(3, t.i16);

export const calls = {
  // Connection set-up and server questions.
  set_ugi: method('set_ugi', { user_name: field(1, str), group_names: field(2, strings) }, strings, [ex(1, MetaException)]),
  get_config_value: method('get_config_value', { name: field(1, str), defaultValue: field(2, str) }, str, [ex(1, ConfigValSecurityException)]),
  get_current_notificationEventId: method('get_current_notificationEventId', {}, t.struct(CurrentNotificationEventId)),
  /** fb303's oneway shutdown: sent by Hive's client when it closes. Never stops the server. */
  shutdown: method('shutdown', {}, undefined),

  // Databases.
  create_database: method('create_database', { database: field(1, t.struct(Database)) }, undefined, [
    ex(1, AlreadyExistsException),
    ex(2, InvalidObjectException),
    ex(3, MetaException),
  ]),
  get_database: method('get_database', { name: field(1, str) }, t.struct(Database), [ex(1, NoSuchObjectException), ex(2, MetaException)]),
  drop_database: method('drop_database', { name: field(1, str), deleteData: field(2, t.bool), cascade: field(3, t.bool) }, undefined, [
    ex(1, NoSuchObjectException),
    ex(2, InvalidOperationException),
    ex(3, MetaException),
  ]),
  get_databases: method('get_databases', { pattern: field(1, str) }, strings, [ex(1, MetaException)]),
  get_all_databases: method('get_all_databases', {}, strings, [ex(1, MetaException)]),
  alter_database: method('alter_database', { dbname: field(1, str), db: field(2, t.struct(Database)) }, undefined, [
    ex(1, MetaException),
    ex(2, NoSuchObjectException),
  ]),

  // Tables.
  get_fields: method('get_fields', { db_name: field(1, str), table_name: field(2, str) }, t.list(t.struct(FieldSchema)), [
    ex(1, MetaException),
    ex(2, UnknownTableException),
    ex(3, UnknownDBException),
  ]),
  get_schema: method('get_schema', { db_name: field(1, str), table_name: field(2, str) }, t.list(t.struct(FieldSchema)), [
    ex(1, MetaException),
    ex(2, UnknownTableException),
    ex(3, UnknownDBException),
  ]),
  create_table: method('create_table', { tbl: field(1, t.struct(Table)) }, undefined, [
    ex(1, AlreadyExistsException),
    ex(2, InvalidObjectException),
    ex(3, MetaException),
    ex(4, NoSuchObjectException),
  ]),
  create_table_with_environment_context: method(
    'create_table_with_environment_context',
    { tbl: field(1, t.struct(Table)), environment_context: field(2, t.struct(EnvironmentContext)) },
    undefined,
    [ex(1, AlreadyExistsException), ex(2, InvalidObjectException), ex(3, MetaException), ex(4, NoSuchObjectException)],
  ),
  drop_table: method('drop_table', { dbname: field(1, str), name: field(2, str), deleteData: field(3, t.bool) }, undefined, [
    ex(1, NoSuchObjectException),
    ex(2, MetaException),
  ]),
  drop_table_with_environment_context: method(
    'drop_table_with_environment_context',
    { dbname: field(1, str), name: field(2, str), deleteData: field(3, t.bool), environment_context: field(4, t.struct(EnvironmentContext)) },
    undefined,
    [ex(1, NoSuchObjectException), ex(2, MetaException)],
  ),
  get_tables: method('get_tables', { db_name: field(1, str), pattern: field(2, str) }, strings, [ex(1, MetaException)]),
  get_tables_by_type: method('get_tables_by_type', { db_name: field(1, str), pattern: field(2, str), tableType: field(3, str) }, strings, [
    ex(1, MetaException),
  ]),
  get_all_tables: method('get_all_tables', { db_name: field(1, str) }, strings, [ex(1, MetaException)]),
  get_table: method('get_table', { dbname: field(1, str), tbl_name: field(2, str) }, t.struct(Table), [ex(1, MetaException), ex(2, NoSuchObjectException)]),
  get_table_req: method('get_table_req', { req: field(1, t.struct(GetTableRequest)) }, t.struct(GetTableResult), [
    ex(1, MetaException),
    ex(2, NoSuchObjectException),
  ]),
  get_table_meta: method(
    'get_table_meta',
    { db_patterns: field(1, str), tbl_patterns: field(2, str), tbl_types: field(3, strings) },
    t.list(t.struct(TableMeta)),
    [ex(1, MetaException)],
  ),
  get_table_objects_by_name: method('get_table_objects_by_name', { dbname: field(1, str), tbl_names: field(2, strings) }, t.list(t.struct(Table))),
  alter_table: method('alter_table', { dbname: field(1, str), tbl_name: field(2, str), new_tbl: field(3, t.struct(Table)) }, undefined, [
    ex(1, InvalidOperationException),
    ex(2, MetaException),
  ]),
  alter_table_with_environment_context: method(
    'alter_table_with_environment_context',
    { dbname: field(1, str), tbl_name: field(2, str), new_tbl: field(3, t.struct(Table)), environment_context: field(4, t.struct(EnvironmentContext)) },
    undefined,
    [ex(1, InvalidOperationException), ex(2, MetaException)],
  ),

  // Partitions.
  add_partition: method('add_partition', { new_part: field(1, t.struct(Partition)) }, t.struct(Partition), [
    ex(1, InvalidObjectException),
    ex(2, AlreadyExistsException),
    ex(3, MetaException),
  ]),
  add_partitions: method('add_partitions', { new_parts: field(1, t.list(t.struct(Partition))) }, t.i32, [
    ex(1, InvalidObjectException),
    ex(2, AlreadyExistsException),
    ex(3, MetaException),
  ]),
  add_partitions_req: method('add_partitions_req', { request: field(1, t.struct(AddPartitionsRequest)) }, t.struct(AddPartitionsResult), [
    ex(1, InvalidObjectException),
    ex(2, AlreadyExistsException),
    ex(3, MetaException),
  ]),
  drop_partition: method(
    'drop_partition',
    { db_name: field(1, str), tbl_name: field(2, str), part_vals: field(3, strings), deleteData: field(4, t.bool) },
    t.bool,
    [ex(1, NoSuchObjectException), ex(2, MetaException)],
  ),
  drop_partition_with_environment_context: method(
    'drop_partition_with_environment_context',
    {
      db_name: field(1, str),
      tbl_name: field(2, str),
      part_vals: field(3, strings),
      deleteData: field(4, t.bool),
      environment_context: field(5, t.struct(EnvironmentContext)),
    },
    t.bool,
    [ex(1, NoSuchObjectException), ex(2, MetaException)],
  ),
  get_partition: method('get_partition', { db_name: field(1, str), tbl_name: field(2, str), part_vals: field(3, strings) }, t.struct(Partition), [
    ex(1, MetaException),
    ex(2, NoSuchObjectException),
  ]),
  get_partition_by_name: method('get_partition_by_name', { db_name: field(1, str), tbl_name: field(2, str), part_name: field(3, str) }, t.struct(Partition), [
    ex(1, MetaException),
    ex(2, NoSuchObjectException),
  ]),
  get_partitions: method('get_partitions', { db_name: field(1, str), tbl_name: field(2, str), max_parts: maxParts }, t.list(t.struct(Partition)), [
    ex(1, NoSuchObjectException),
    ex(2, MetaException),
  ]),
  get_partition_names: method('get_partition_names', { db_name: field(1, str), tbl_name: field(2, str), max_parts: maxParts }, strings, [
    ex(1, NoSuchObjectException),
    ex(2, MetaException),
  ]),
  get_partitions_ps: method(
    'get_partitions_ps',
    { db_name: field(1, str), tbl_name: field(2, str), part_vals: field(3, strings), max_parts: field(4, t.i16) },
    t.list(t.struct(Partition)),
    [ex(1, MetaException), ex(2, NoSuchObjectException)],
  ),
  get_partitions_ps_with_auth: method(
    'get_partitions_ps_with_auth',
    {
      db_name: field(1, str),
      tbl_name: field(2, str),
      part_vals: field(3, strings),
      max_parts: field(4, t.i16),
      user_name: field(5, str),
      group_names: field(6, strings),
    },
    t.list(t.struct(Partition)),
    [ex(1, NoSuchObjectException), ex(2, MetaException)],
  ),
  get_partition_names_ps: method(
    'get_partition_names_ps',
    { db_name: field(1, str), tbl_name: field(2, str), part_vals: field(3, strings), max_parts: field(4, t.i16) },
    strings,
    [ex(1, MetaException), ex(2, NoSuchObjectException)],
  ),
  get_partitions_by_filter: method(
    'get_partitions_by_filter',
    { db_name: field(1, str), tbl_name: field(2, str), filter: field(3, str), max_parts: field(4, t.i16) },
    t.list(t.struct(Partition)),
    [ex(1, MetaException), ex(2, NoSuchObjectException)],
  ),
  get_partitions_by_names: method(
    'get_partitions_by_names',
    { db_name: field(1, str), tbl_name: field(2, str), names: field(3, strings) },
    t.list(t.struct(Partition)),
    [ex(1, MetaException), ex(2, NoSuchObjectException)],
  ),
  alter_partition: method('alter_partition', { db_name: field(1, str), tbl_name: field(2, str), new_part: field(3, t.struct(Partition)) }, undefined, [
    ex(1, InvalidOperationException),
    ex(2, MetaException),
  ]),
  alter_partitions: method(
    'alter_partitions',
    { db_name: field(1, str), tbl_name: field(2, str), new_parts: field(3, t.list(t.struct(Partition))) },
    undefined,
    [ex(1, InvalidOperationException), ex(2, MetaException)],
  ),

  drop_partition_by_name: method(
    'drop_partition_by_name',
    { db_name: field(1, str), tbl_name: field(2, str), part_name: field(3, str), deleteData: field(4, t.bool) },
    t.bool,
    [ex(1, NoSuchObjectException), ex(2, MetaException)],
  ),

  // Functions: permanent functions are not kept (CREATE FUNCTION is refused as an unknown call).
  get_all_functions: method('get_all_functions', {}, t.struct(GetAllFunctionsResponse), [ex(1, MetaException)]),
  get_functions: method('get_functions', { dbName: field(1, str), pattern: field(2, str) }, strings, [ex(1, MetaException)]),

  // Column statistics.
  get_partition_column_statistics: method(
    'get_partition_column_statistics',
    { db_name: field(1, str), tbl_name: field(2, str), part_name: field(3, str), col_name: field(4, str) },
    t.struct(ColumnStatistics),
    [ex(1, NoSuchObjectException), ex(2, MetaException), ex(3, InvalidInputException), ex(4, InvalidObjectException)],
  ),
  delete_table_column_statistics: method(
    'delete_table_column_statistics',
    { db_name: field(1, str), tbl_name: field(2, str), col_name: field(3, str) },
    t.bool,
    [ex(1, NoSuchObjectException), ex(2, MetaException), ex(3, InvalidObjectException), ex(4, InvalidInputException)],
  ),
  delete_partition_column_statistics: method(
    'delete_partition_column_statistics',
    { db_name: field(1, str), tbl_name: field(2, str), part_name: field(3, str), col_name: field(4, str) },
    t.bool,
    [ex(1, NoSuchObjectException), ex(2, MetaException), ex(3, InvalidObjectException), ex(4, InvalidInputException)],
  ),
  update_table_column_statistics: method('update_table_column_statistics', { stats_obj: field(1, t.struct(ColumnStatistics)) }, t.bool, [
    ex(1, NoSuchObjectException),
    ex(2, InvalidObjectException),
    ex(3, MetaException),
    ex(4, InvalidInputException),
  ]),
  update_partition_column_statistics: method('update_partition_column_statistics', { stats_obj: field(1, t.struct(ColumnStatistics)) }, t.bool, [
    ex(1, NoSuchObjectException),
    ex(2, InvalidObjectException),
    ex(3, MetaException),
    ex(4, InvalidInputException),
  ]),
  get_table_statistics_req: method('get_table_statistics_req', { request: field(1, t.struct(TableStatsRequest)) }, t.struct(TableStatsResult), [
    ex(1, NoSuchObjectException),
    ex(2, MetaException),
  ]),
  get_partitions_statistics_req: method(
    'get_partitions_statistics_req',
    { request: field(1, t.struct(PartitionsStatsRequest)) },
    t.struct(PartitionsStatsResult),
    [ex(1, NoSuchObjectException), ex(2, MetaException)],
  ),
  get_table_column_statistics: method(
    'get_table_column_statistics',
    { db_name: field(1, str), tbl_name: field(2, str), col_name: field(3, str) },
    t.struct(ColumnStatistics),
    [ex(1, NoSuchObjectException), ex(2, MetaException), ex(3, InvalidInputException), ex(4, InvalidObjectException)],
  ),
} as const;

export type CallName = keyof typeof calls;
