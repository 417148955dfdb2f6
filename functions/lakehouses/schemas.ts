import { Type } from '@sinclair/typebox';
import { ActivityEntry, Lakehouse, LAKEHOUSE_STATES } from '../../shared/domains/lakehouses/index.js';

export const AgentReportParams = Type.Object({ id: Type.String({ format: 'uuid' }) });

export const LakehouseParams = Type.Object(
  { id: Type.String({ minLength: 1, maxLength: 64, description: "The lakehouse's id or name." }) },
  { additionalProperties: false },
);

export const LakehousePage = Type.Object({ items: Type.Array(Lakehouse), nextPageToken: Type.Union([Type.String(), Type.Null()]) });

export const ListLakehousesQuery = Type.Object(
  {
    owner: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
    state: Type.Optional(Type.Union(LAKEHOUSE_STATES.map((s) => Type.Literal(s)))),
    tag: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 53, description: 'Part of the name.' })),
    pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
    pageToken: Type.Optional(Type.String({ maxLength: 512 })),
  },
  { additionalProperties: false },
);

export const ActivityQuery = Type.Object(
  {
    pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
    // A row id, at most 18 digits: a bigserial never gets near, and 19 could pass int8's 2^63 - 1 (a 500 in PostgreSQL).
    pageToken: Type.Optional(Type.String({ pattern: '^[0-9]{1,18}$', description: 'From an earlier page.' })),
  },
  { additionalProperties: false },
);
export const ActivityPage = Type.Object({ items: Type.Array(ActivityEntry), nextPageToken: Type.Union([Type.String(), Type.Null()]) });

export const LogsQuery = Type.Object({ tail: Type.Optional(Type.Integer({ minimum: 1, maximum: 10000, default: 200 })) }, { additionalProperties: false });

const HostPort = Type.Object({ host: Type.String(), port: Type.Integer() });
export const Connection = Type.Object({
  lakehouse: Type.String(),
  state: Type.String(),
  user: Type.String({ description: 'The name to connect as: yours. The password (HiveServer2) or token (Spark Connect) is one of your Lakeplane tokens.' }),
  hiveServer2: HostPort,
  sparkConnect: HostPort,
  jdbcUrl: Type.String(),
  sparkConnectUrl: Type.String({ description: 'With <TOKEN> to replace by one of your tokens.' }),
  defaultCatalog: Type.Union([Type.String(), Type.Null()]),
  catalogs: Type.Array(Type.String()),
  snippets: Type.Object({ beeline: Type.String(), jdbc: Type.String(), pyhive: Type.String(), dbt: Type.String(), pysparkConnect: Type.String() }),
});

/** What a lakehouse's driver reports about itself (the engine's activity reporter), with the token it was started with. */
export const AgentReport = Type.Object(
  {
    openSessions: Type.Integer({ minimum: 0, maximum: 100000 }),
    runningStatements: Type.Integer({ minimum: 0, maximum: 100000 }),
    lastActivityAt: Type.Optional(Type.String({ format: 'date-time', description: 'When a statement last started or ended, or a session opened or closed.' })),
  },
  { additionalProperties: false },
);

export { Lakehouse };
