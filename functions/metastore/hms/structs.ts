import { field, type Infer, required, struct, t } from '../thrift/schema.js';

/*
 * The Hive metastore's structs that the metastore function reads and writes, with the field ids of Hive's IDL
 * (hive_metastore.thrift). Requiredness is what the oldest client we serve sends, not what the newest IDL says: Hive
 * 4 made some fields `required` (a statistics request's `engine`) that Spark's Hive 2.3.9 client never sends.
 */

export const FieldSchema = struct('FieldSchema', {
  name: field(1, t.string),
  type: field(2, t.string),
  comment: field(3, t.string),
});
export type FieldSchema = Infer<typeof FieldSchema>;

export const PrivilegeGrantInfo = struct('PrivilegeGrantInfo', {
  privilege: field(1, t.string),
  createTime: field(2, t.i32),
  grantor: field(3, t.string),
  grantorType: field(4, t.i32),
  grantOption: field(5, t.bool),
});

export const PrincipalPrivilegeSet = struct('PrincipalPrivilegeSet', {
  userPrivileges: field(1, t.map(t.string, t.list(t.struct(PrivilegeGrantInfo)))),
  groupPrivileges: field(2, t.map(t.string, t.list(t.struct(PrivilegeGrantInfo)))),
  rolePrivileges: field(3, t.map(t.string, t.list(t.struct(PrivilegeGrantInfo)))),
});

export const Database = struct('Database', {
  name: field(1, t.string),
  description: field(2, t.string),
  locationUri: field(3, t.string),
  parameters: field(4, t.map(t.string, t.string)),
  privileges: field(5, t.struct(PrincipalPrivilegeSet)),
  ownerName: field(6, t.string),
  ownerType: field(7, t.i32),
  catalogName: field(8, t.string),
  createTime: field(9, t.i32),
});
export type Database = Infer<typeof Database>;

export const SerDeInfo = struct('SerDeInfo', {
  name: field(1, t.string),
  serializationLib: field(2, t.string),
  parameters: field(3, t.map(t.string, t.string)),
});

export const Order = struct('Order', { col: field(1, t.string), order: field(2, t.i32) });

export const SkewedInfo = struct('SkewedInfo', {
  skewedColNames: field(1, t.list(t.string)),
  skewedColValues: field(2, t.list(t.list(t.string))),
  skewedColValueLocationMaps: field(3, t.map(t.list(t.string), t.string)),
});

export const StorageDescriptor = struct('StorageDescriptor', {
  cols: field(1, t.list(t.struct(FieldSchema))),
  location: field(2, t.string),
  inputFormat: field(3, t.string),
  outputFormat: field(4, t.string),
  compressed: field(5, t.bool),
  numBuckets: field(6, t.i32),
  serdeInfo: field(7, t.struct(SerDeInfo)),
  bucketCols: field(8, t.list(t.string)),
  sortCols: field(9, t.list(t.struct(Order))),
  parameters: field(10, t.map(t.string, t.string)),
  skewedInfo: field(11, t.struct(SkewedInfo)),
  storedAsSubDirectories: field(12, t.bool),
});
export type StorageDescriptor = Infer<typeof StorageDescriptor>;

export const Table = struct('Table', {
  tableName: field(1, t.string),
  dbName: field(2, t.string),
  owner: field(3, t.string),
  createTime: field(4, t.i32),
  lastAccessTime: field(5, t.i32),
  retention: field(6, t.i32),
  sd: field(7, t.struct(StorageDescriptor)),
  partitionKeys: field(8, t.list(t.struct(FieldSchema))),
  parameters: field(9, t.map(t.string, t.string)),
  viewOriginalText: field(10, t.string),
  viewExpandedText: field(11, t.string),
  tableType: field(12, t.string),
  privileges: field(13, t.struct(PrincipalPrivilegeSet)),
  temporary: field(14, t.bool),
  rewriteEnabled: field(15, t.bool),
  catName: field(17, t.string),
  ownerType: field(18, t.i32),
});
export type Table = Infer<typeof Table>;

export const Partition = struct('Partition', {
  values: field(1, t.list(t.string)),
  dbName: field(2, t.string),
  tableName: field(3, t.string),
  createTime: field(4, t.i32),
  lastAccessTime: field(5, t.i32),
  sd: field(6, t.struct(StorageDescriptor)),
  parameters: field(7, t.map(t.string, t.string)),
  privileges: field(8, t.struct(PrincipalPrivilegeSet)),
  catName: field(9, t.string),
});
export type Partition = Infer<typeof Partition>;

// Column statistics (ANALYZE TABLE ... FOR COLUMNS).
const bitVectors = field(4, t.binary);
export const BooleanColumnStatsData = struct('BooleanColumnStatsData', {
  numTrues: required(1, t.i64),
  numFalses: required(2, t.i64),
  numNulls: required(3, t.i64),
  bitVectors,
});
export const DoubleColumnStatsData = struct('DoubleColumnStatsData', {
  lowValue: field(1, t.double),
  highValue: field(2, t.double),
  numNulls: required(3, t.i64),
  numDVs: required(4, t.i64),
  bitVectors: field(5, t.binary),
});
export const LongColumnStatsData = struct('LongColumnStatsData', {
  lowValue: field(1, t.i64),
  highValue: field(2, t.i64),
  numNulls: required(3, t.i64),
  numDVs: required(4, t.i64),
  bitVectors: field(5, t.binary),
});
export const StringColumnStatsData = struct('StringColumnStatsData', {
  maxColLen: required(1, t.i64),
  avgColLen: required(2, t.double),
  numNulls: required(3, t.i64),
  numDVs: required(4, t.i64),
  bitVectors: field(5, t.binary),
});
export const BinaryColumnStatsData = struct('BinaryColumnStatsData', {
  maxColLen: required(1, t.i64),
  avgColLen: required(2, t.double),
  numNulls: required(3, t.i64),
  bitVectors,
});
export const Decimal = struct('Decimal', { unscaled: required(1, t.binary), scale: required(3, t.i16) });
export const DecimalColumnStatsData = struct('DecimalColumnStatsData', {
  lowValue: field(1, t.struct(Decimal)),
  highValue: field(2, t.struct(Decimal)),
  numNulls: required(3, t.i64),
  numDVs: required(4, t.i64),
  bitVectors: field(5, t.binary),
});
export const DateValue = struct('Date', { daysSinceEpoch: required(1, t.i64) });
export const DateColumnStatsData = struct('DateColumnStatsData', {
  lowValue: field(1, t.struct(DateValue)),
  highValue: field(2, t.struct(DateValue)),
  numNulls: required(3, t.i64),
  numDVs: required(4, t.i64),
  bitVectors: field(5, t.binary),
});
export const ColumnStatisticsData = struct(
  'ColumnStatisticsData',
  {
    booleanStats: field(1, t.struct(BooleanColumnStatsData)),
    longStats: field(2, t.struct(LongColumnStatsData)),
    doubleStats: field(3, t.struct(DoubleColumnStatsData)),
    stringStats: field(4, t.struct(StringColumnStatsData)),
    binaryStats: field(5, t.struct(BinaryColumnStatsData)),
    decimalStats: field(6, t.struct(DecimalColumnStatsData)),
    dateStats: field(7, t.struct(DateColumnStatsData)),
  },
  { union: true },
);
export const ColumnStatisticsObj = struct('ColumnStatisticsObj', {
  colName: required(1, t.string),
  colType: required(2, t.string),
  statsData: required(3, t.struct(ColumnStatisticsData)),
});
export const ColumnStatisticsDesc = struct('ColumnStatisticsDesc', {
  isTblLevel: required(1, t.bool),
  dbName: required(2, t.string),
  tableName: required(3, t.string),
  partName: field(4, t.string),
  lastAnalyzed: field(5, t.i64),
  catName: field(6, t.string),
});
export const ColumnStatistics = struct('ColumnStatistics', {
  statsDesc: required(1, t.struct(ColumnStatisticsDesc)),
  statsObj: required(2, t.list(t.struct(ColumnStatisticsObj))),
});
export type ColumnStatistics = Infer<typeof ColumnStatistics>;

// The exceptions calls declare: each a message, as Hive's are.
const withMessage = (name: string) => struct(name, { message: field(1, t.string) });
export const MetaException = withMessage('MetaException');
export const NoSuchObjectException = withMessage('NoSuchObjectException');
export const AlreadyExistsException = withMessage('AlreadyExistsException');
export const InvalidObjectException = withMessage('InvalidObjectException');
export const InvalidOperationException = withMessage('InvalidOperationException');
export const UnknownDBException = withMessage('UnknownDBException');
export const UnknownTableException = withMessage('UnknownTableException');
export const InvalidInputException = withMessage('InvalidInputException');
export const ConfigValSecurityException = withMessage('ConfigValSecurityException');
