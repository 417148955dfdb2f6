import { Type, type Static, type TSchema } from '@sinclair/typebox';
import {
  EncryptedKey,
  IcebergSchema,
  LongInt,
  Namespace,
  PartitionSpec,
  PartitionStatisticsFile,
  Snapshot,
  SnapshotReference,
  SortOrder,
  StatisticsFile,
  ViewVersion,
} from './iceberg-types.js';
import { MAX_NAME_LENGTH, MAX_NAMESPACE_LEVELS } from '../domain/identifiers.js';

/** Request bodies and parameters of the Iceberg REST API, as rest-catalog-open-api.yaml defines them. */
const StringMap = Type.Record(Type.String(), Type.String());
/** A table's or a view's name; validateName() adds what a schema cannot say (no "." or ".." steps). */
const ObjectName = Type.String({ minLength: 1, maxLength: MAX_NAME_LENGTH });

/** Java's client writes absent optional fields as explicit nulls ("location": null); both mean "not given". */
function Opt<T extends TSchema>(schema: T) {
  return Type.Optional(Type.Union([schema, Type.Null()]));
}

function update<A extends string, P extends Record<string, TSchema>>(action: A, props: P) {
  return Type.Object({ action: Type.Literal(action), ...props });
}

const AssignUuid = update('assign-uuid', { uuid: Type.String({ minLength: 1 }) });
const UpgradeFormatVersion = update('upgrade-format-version', { 'format-version': Type.Integer() });
const AddSchema = update('add-schema', { schema: IcebergSchema, 'last-column-id': Opt(Type.Integer()) });
const SetCurrentSchema = update('set-current-schema', { 'schema-id': Type.Integer() });
const AddSpec = update('add-spec', { spec: PartitionSpec });
const SetDefaultSpec = update('set-default-spec', { 'spec-id': Type.Integer() });
const AddSortOrder = update('add-sort-order', { 'sort-order': SortOrder });
const SetDefaultSortOrder = update('set-default-sort-order', { 'sort-order-id': Type.Integer() });
const AddSnapshot = update('add-snapshot', { snapshot: Snapshot });
const SetSnapshotRef = Type.Intersect([update('set-snapshot-ref', { 'ref-name': Type.String({ minLength: 1 }) }), SnapshotReference]);
const RemoveSnapshots = update('remove-snapshots', { 'snapshot-ids': Type.Array(LongInt) });
const RemoveSnapshotRef = update('remove-snapshot-ref', { 'ref-name': Type.String({ minLength: 1 }) });
const SetLocation = update('set-location', { location: Type.String({ minLength: 1 }) });
const SetProperties = update('set-properties', { updates: StringMap });
const RemoveProperties = update('remove-properties', { removals: Type.Array(Type.String()) });
const SetStatistics = update('set-statistics', { 'snapshot-id': Opt(LongInt), statistics: StatisticsFile });
const RemoveStatistics = update('remove-statistics', { 'snapshot-id': LongInt });
const SetPartitionStatistics = update('set-partition-statistics', { 'partition-statistics': PartitionStatisticsFile });
const RemovePartitionStatistics = update('remove-partition-statistics', { 'snapshot-id': LongInt });
const RemovePartitionSpecs = update('remove-partition-specs', { 'spec-ids': Type.Array(Type.Integer()) });
const RemoveSchemas = update('remove-schemas', { 'schema-ids': Type.Array(Type.Integer()) });
const AddEncryptionKey = update('add-encryption-key', { 'encryption-key': EncryptedKey });
const RemoveEncryptionKey = update('remove-encryption-key', { 'key-id': Type.String() });
const AddViewVersion = update('add-view-version', { 'view-version': ViewVersion });
const SetCurrentViewVersion = update('set-current-view-version', { 'view-version-id': Type.Integer() });

export const TableUpdate = Type.Union([
  AssignUuid,
  UpgradeFormatVersion,
  AddSchema,
  SetCurrentSchema,
  AddSpec,
  SetDefaultSpec,
  AddSortOrder,
  SetDefaultSortOrder,
  AddSnapshot,
  SetSnapshotRef,
  RemoveSnapshots,
  RemoveSnapshotRef,
  SetLocation,
  SetProperties,
  RemoveProperties,
  SetStatistics,
  RemoveStatistics,
  SetPartitionStatistics,
  RemovePartitionStatistics,
  RemovePartitionSpecs,
  RemoveSchemas,
  AddEncryptionKey,
  RemoveEncryptionKey,
]);
export type TableUpdateValue = Static<typeof TableUpdate>;

export const ViewUpdate = Type.Union([
  AssignUuid,
  UpgradeFormatVersion,
  AddSchema,
  SetLocation,
  SetProperties,
  RemoveProperties,
  AddViewVersion,
  SetCurrentViewVersion,
]);
export type ViewUpdateValue = Static<typeof ViewUpdate>;

function requirement<T extends string, P extends Record<string, TSchema>>(type: T, props: P) {
  return Type.Object({ type: Type.Literal(type), ...props });
}

export const TableRequirement = Type.Union([
  requirement('assert-create', {}),
  requirement('assert-table-uuid', { uuid: Type.String() }),
  requirement('assert-ref-snapshot-id', { ref: Type.String({ minLength: 1 }), 'snapshot-id': Type.Union([LongInt, Type.Null()]) }),
  requirement('assert-last-assigned-field-id', { 'last-assigned-field-id': Type.Integer() }),
  requirement('assert-current-schema-id', { 'current-schema-id': Type.Integer() }),
  requirement('assert-last-assigned-partition-id', { 'last-assigned-partition-id': Type.Integer() }),
  requirement('assert-default-spec-id', { 'default-spec-id': Type.Integer() }),
  requirement('assert-default-sort-order-id', { 'default-sort-order-id': Type.Integer() }),
]);
export type TableRequirementValue = Static<typeof TableRequirement>;

export const ViewRequirement = requirement('assert-view-uuid', { uuid: Type.String() });
export type ViewRequirementValue = Static<typeof ViewRequirement>;

export const TableIdentifier = Type.Object({ namespace: Type.Array(Type.String(), { maxItems: MAX_NAMESPACE_LEVELS }), name: ObjectName });
export type TableIdentifierValue = Static<typeof TableIdentifier>;

export const CommitTableRequest = Type.Object({
  identifier: Opt(TableIdentifier),
  requirements: Type.Array(TableRequirement),
  updates: Type.Array(TableUpdate),
});
export type CommitTableRequestValue = Static<typeof CommitTableRequest>;

export const CommitTransactionRequest = Type.Object({
  'table-changes': Type.Array(Type.Object({ identifier: TableIdentifier, requirements: Type.Array(TableRequirement), updates: Type.Array(TableUpdate) }), {
    minItems: 1,
  }),
});
export type CommitTransactionRequestValue = Static<typeof CommitTransactionRequest>;

export const CommitViewRequest = Type.Object({
  identifier: Opt(TableIdentifier),
  requirements: Opt(Type.Array(ViewRequirement)),
  updates: Type.Array(ViewUpdate),
});
export type CommitViewRequestValue = Static<typeof CommitViewRequest>;

export const CreateNamespaceRequest = Type.Object({ namespace: Namespace, properties: Opt(StringMap) });
export const UpdateNamespacePropertiesRequest = Type.Object({
  removals: Opt(Type.Array(Type.String(), { uniqueItems: true })),
  updates: Opt(StringMap),
});

export const CreateTableRequest = Type.Object({
  name: ObjectName,
  location: Opt(Type.String({ minLength: 1 })),
  schema: IcebergSchema,
  'partition-spec': Opt(PartitionSpec),
  'write-order': Opt(SortOrder),
  'stage-create': Opt(Type.Boolean()),
  properties: Opt(StringMap),
});
export type CreateTableRequestValue = Static<typeof CreateTableRequest>;

export const RegisterTableRequest = Type.Object({
  name: ObjectName,
  'metadata-location': Type.String({ minLength: 1 }),
  overwrite: Opt(Type.Boolean()),
});
export const RegisterViewRequest = Type.Object({ name: ObjectName, 'metadata-location': Type.String({ minLength: 1 }) });

export const RenameTableRequest = Type.Object({ source: TableIdentifier, destination: TableIdentifier });

export const CreateViewRequest = Type.Object({
  name: ObjectName,
  location: Opt(Type.String({ minLength: 1 })),
  schema: IcebergSchema,
  'view-version': ViewVersion,
  properties: StringMap,
});
export type CreateViewRequestValue = Static<typeof CreateViewRequest>;

/** Metrics reports (ScanReport, CommitReport) are kept as sent; only the discriminating fields are checked. */
/** Iceberg's S3 signer API (s3-signer-open-api.yaml): the request a client wants signed. Java adds `provider`. */
const S3Headers = Type.Record(Type.String(), Type.Array(Type.String()), { description: 'Header name to its values.' });
export const S3SignRequest = Type.Object({
  region: Type.String({ minLength: 1, maxLength: 64 }),
  uri: Type.String({ minLength: 1, maxLength: 16384 }),
  method: Type.Union(['PUT', 'GET', 'HEAD', 'POST', 'DELETE', 'PATCH', 'OPTIONS'].map((m) => Type.Literal(m))),
  headers: S3Headers,
  properties: Type.Optional(StringMap),
  body: Type.Optional(Type.String({ description: 'The payload, for requests whose keys are not in the uri (DeleteObjects): its hash is signed.' })),
  provider: Type.Optional(Type.String()),
});
export const S3SignResponse = Type.Object({ uri: Type.String(), headers: S3Headers });

export const ReportMetricsRequest = Type.Object({
  'report-type': Type.String({ minLength: 1 }),
  'table-name': Type.String(),
  'snapshot-id': LongInt,
});

export const NamespaceParams = Type.Object({ prefix: Type.String({ minLength: 1 }), namespace: Type.String({ minLength: 1 }) });
export const TableParams = Type.Object({
  prefix: Type.String({ minLength: 1 }),
  namespace: Type.String({ minLength: 1 }),
  table: Type.String({ minLength: 1 }),
});
export const ViewParams = Type.Object({ prefix: Type.String({ minLength: 1 }), namespace: Type.String({ minLength: 1 }), view: Type.String({ minLength: 1 }) });
export const PrefixParams = Type.Object({ prefix: Type.String({ minLength: 1 }) });

export const PageQuery = {
  pageToken: Type.Optional(Type.String()),
  pageSize: Type.Optional(Type.Integer({ minimum: 1 })),
};
export const ListNamespacesQuery = Type.Object({ ...PageQuery, parent: Type.Optional(Type.String()) });
export const ListQuery = Type.Object(PageQuery);
export const LoadTableQuery = Type.Object({
  snapshots: Type.Optional(Type.Union([Type.Literal('all'), Type.Literal('refs')])),
  'referenced-by': Type.Optional(Type.String()),
});
/** A boolean as clients write it in a query: Java and iceberg-js send true/false, PyIceberg True/False. */
const QueryBoolean = Type.String({ pattern: '^([Tt][Rr][Uu][Ee]|[Ff][Aa][Ll][Ss][Ee])$', description: 'true or false, any case' });
export const DropTableQuery = Type.Object({ purgeRequested: Type.Optional(QueryBoolean) });
export const ConfigQuery = Type.Object({ warehouse: Type.Optional(Type.String()) });
