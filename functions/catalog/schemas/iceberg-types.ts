import { Type, type Static, type TSchema } from '@sinclair/typebox';
import type { Long } from '../../../shared/json/index.js';
import { MAX_NAME_LENGTH, MAX_NAMESPACE_LEVELS } from '../domain/identifiers.js';

/**
 * Iceberg's metadata objects as the REST spec defines them (rest-catalog-open-api.yaml, components/schemas). Objects
 * stay open to fields we do not know (clients send `doc`, `initial-default` and fields of newer spec versions);
 * discriminated unions (updates, requirements) are closed, so an unknown action is a 400.
 *
 * int64 fields are typed Long: the body arrives with bigint where a value passes 2^53 (see shared/json).
 */
export const LongInt = Type.Unsafe<Long>({ type: 'integer', format: 'int64' });
const StringMap = Type.Record(Type.String(), Type.String());
/** Java's client writes absent optional fields as explicit nulls; both mean "not given". */
const Opt = <T extends TSchema>(schema: T) => Type.Optional(Type.Union([schema, Type.Null()]));

export const IcebergType: TSchema = Type.Recursive(
  (Self) =>
    Type.Union([
      Type.String({ minLength: 1 }),
      Type.Object({
        type: Type.Literal('struct'),
        fields: Type.Array(Type.Object({ id: Type.Integer(), name: Type.String(), type: Self, required: Type.Boolean(), doc: Opt(Type.String()) })),
      }),
      Type.Object({ type: Type.Literal('list'), 'element-id': Type.Integer(), element: Self, 'element-required': Type.Boolean() }),
      Type.Object({
        type: Type.Literal('map'),
        'key-id': Type.Integer(),
        key: Self,
        'value-id': Type.Integer(),
        value: Self,
        'value-required': Type.Boolean(),
      }),
    ]),
  { $id: 'IcebergType' },
);

export interface IcebergStructField {
  id: number;
  name: string;
  type: IcebergFieldType;
  required: boolean;
  doc?: string;
  [extra: string]: unknown;
}
export interface IcebergStruct {
  type: 'struct';
  fields: IcebergStructField[];
}
export interface IcebergList {
  type: 'list';
  'element-id': number;
  element: IcebergFieldType;
  'element-required': boolean;
}
export interface IcebergMap {
  type: 'map';
  'key-id': number;
  key: IcebergFieldType;
  'value-id': number;
  value: IcebergFieldType;
  'value-required': boolean;
}
export type IcebergFieldType = string | IcebergStruct | IcebergList | IcebergMap;

export const StructField = Type.Object({ id: Type.Integer(), name: Type.String(), type: IcebergType, required: Type.Boolean(), doc: Opt(Type.String()) });

export const IcebergSchema = Type.Unsafe<IcebergSchemaValue>(
  Type.Object({
    type: Type.Literal('struct'),
    fields: Type.Array(StructField),
    'schema-id': Opt(Type.Integer()),
    'identifier-field-ids': Opt(Type.Array(Type.Integer())),
  }),
);
export interface IcebergSchemaValue extends IcebergStruct {
  'schema-id'?: number;
  'identifier-field-ids'?: number[];
  [extra: string]: unknown;
}

export const PartitionField = Type.Object({
  'field-id': Opt(Type.Integer()),
  'source-id': Type.Integer(),
  name: Type.String({ minLength: 1 }),
  transform: Type.String({ minLength: 1 }),
});
export const PartitionSpec = Type.Object({ 'spec-id': Opt(Type.Integer()), fields: Type.Array(PartitionField) });

export const SortField = Type.Object({
  'source-id': Type.Integer(),
  transform: Type.String({ minLength: 1 }),
  direction: Type.Union([Type.Literal('asc'), Type.Literal('desc')]),
  'null-order': Type.Union([Type.Literal('nulls-first'), Type.Literal('nulls-last')]),
});
export const SortOrder = Type.Object({ 'order-id': Type.Integer(), fields: Type.Array(SortField) });

export const Snapshot = Type.Object({
  'snapshot-id': LongInt,
  'parent-snapshot-id': Type.Optional(Type.Union([LongInt, Type.Null()])),
  'sequence-number': Opt(LongInt),
  'timestamp-ms': LongInt,
  'manifest-list': Type.String(),
  'first-row-id': Opt(LongInt),
  'added-rows': Opt(LongInt),
  summary: Type.Intersect([
    Type.Object({ operation: Type.Union([Type.Literal('append'), Type.Literal('replace'), Type.Literal('overwrite'), Type.Literal('delete')]) }),
    Type.Record(Type.String(), Type.String()),
  ]),
  'schema-id': Opt(Type.Integer()),
});

export const SnapshotReference = Type.Object({
  type: Type.Union([Type.Literal('tag'), Type.Literal('branch')]),
  'snapshot-id': LongInt,
  'max-ref-age-ms': Opt(LongInt),
  'max-snapshot-age-ms': Opt(LongInt),
  'min-snapshots-to-keep': Opt(Type.Integer()),
});

export const BlobMetadata = Type.Object({
  type: Type.String(),
  'snapshot-id': LongInt,
  'sequence-number': LongInt,
  fields: Type.Array(Type.Integer()),
  properties: Type.Optional(StringMap),
});
export const StatisticsFile = Type.Object({
  'snapshot-id': LongInt,
  'statistics-path': Type.String(),
  'file-size-in-bytes': LongInt,
  'file-footer-size-in-bytes': LongInt,
  'blob-metadata': Type.Array(BlobMetadata),
});
export const PartitionStatisticsFile = Type.Object({ 'snapshot-id': LongInt, 'statistics-path': Type.String(), 'file-size-in-bytes': LongInt });
export const EncryptedKey = Type.Object({
  'key-id': Type.String(),
  'encrypted-key-metadata': Type.String(),
  'encrypted-by-id': Type.Optional(Type.String()),
  properties: Type.Optional(StringMap),
});

export const ViewRepresentation = Type.Object({ type: Type.String(), sql: Type.String(), dialect: Type.String() });
/** Bounded here so a namespace of 100,000 levels costs the validator one comparison; domain/identifiers.ts says why. */
export const Namespace = Type.Array(Type.String({ minLength: 1, maxLength: MAX_NAME_LENGTH }), { minItems: 1, maxItems: MAX_NAMESPACE_LEVELS });
export const ViewVersion = Type.Object({
  'version-id': Type.Integer(),
  'timestamp-ms': LongInt,
  'schema-id': Type.Integer(),
  summary: StringMap,
  representations: Type.Array(ViewRepresentation),
  'default-catalog': Opt(Type.String()),
  'default-namespace': Type.Array(Type.String()),
});

export type PartitionFieldValue = Static<typeof PartitionField>;
export type PartitionSpecValue = Static<typeof PartitionSpec>;
export type SortOrderValue = Static<typeof SortOrder>;
export type SnapshotValue = Static<typeof Snapshot>;
export type SnapshotReferenceValue = Static<typeof SnapshotReference>;
export type StatisticsFileValue = Static<typeof StatisticsFile>;
export type PartitionStatisticsFileValue = Static<typeof PartitionStatisticsFile>;
export type EncryptedKeyValue = Static<typeof EncryptedKey>;
export type ViewVersionValue = Static<typeof ViewVersion>;
