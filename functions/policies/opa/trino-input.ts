import { Type, type Static } from '@sinclair/typebox';

/**
 * What Trino's OPA access control sends (../shared/ref/trino-opa/NOTES.md): {"input": {context, action}}. Fields we
 * do not use are let through; the ones we use are typed. Null fields are omitted by Trino.
 */
const Open = { additionalProperties: true };
const TableRef = Type.Object(
  { catalogName: Type.String(), schemaName: Type.String(), tableName: Type.String(), columns: Type.Optional(Type.Array(Type.String())) },
  Open,
);
const ColumnRef = Type.Object(
  { catalogName: Type.String(), schemaName: Type.String(), tableName: Type.String(), columnName: Type.String(), columnType: Type.Optional(Type.String()) },
  Open,
);

export const TrinoResource = Type.Object(
  {
    user: Type.Optional(Type.Object({ user: Type.String() }, Open)),
    catalog: Type.Optional(Type.Object({ name: Type.String() }, Open)),
    schema: Type.Optional(Type.Object({ catalogName: Type.String(), schemaName: Type.String() }, Open)),
    table: Type.Optional(TableRef),
    column: Type.Optional(ColumnRef),
    function: Type.Optional(Type.Object({}, Open)),
    systemSessionProperty: Type.Optional(Type.Object({}, Open)),
    catalogSessionProperty: Type.Optional(Type.Object({}, Open)),
  },
  Open,
);
export type TrinoResource = Static<typeof TrinoResource>;

export const TrinoInput = Type.Object(
  {
    context: Type.Object({ identity: Type.Object({ user: Type.String({ minLength: 1 }), groups: Type.Optional(Type.Array(Type.String())) }, Open) }, Open),
    action: Type.Object(
      {
        operation: Type.String({ minLength: 1 }),
        resource: Type.Optional(TrinoResource),
        targetResource: Type.Optional(TrinoResource),
        filterResources: Type.Optional(Type.Array(TrinoResource)),
      },
      Open,
    ),
  },
  Open,
);
export type TrinoInput = Static<typeof TrinoInput>;

export const DataApiRequest = Type.Object({ input: TrinoInput }, { additionalProperties: true });
