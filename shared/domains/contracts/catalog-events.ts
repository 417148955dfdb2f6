import { Type } from '@sinclair/typebox';
import { defineEventType } from '../../events/index.js';

/** What the catalog announces through the outbox, so other functions and webhooks can follow it. */
const ObjectEvent = Type.Object({
  warehouse: Type.String(),
  namespace: Type.Array(Type.String()),
  name: Type.String(),
  uuid: Type.String({ description: 'table-uuid or view-uuid' }),
  metadataLocation: Type.String(),
  previousMetadataLocation: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  currentSnapshotId: Type.Optional(Type.Union([Type.String({ description: 'A 64-bit id, as a string so no consumer rounds it.' }), Type.Null()])),
  updates: Type.Optional(Type.Array(Type.String(), { description: 'The update actions the commit applied, in order.' })),
  purged: Type.Optional(Type.Boolean()),
  actor: Type.Optional(Type.String()),
  format: Type.Optional(
    Type.Union([Type.Literal('iceberg'), Type.Literal('hive')], {
      description: "hive: a Hive metastore table (metadataLocation is then the table's storage location); absent: Iceberg.",
    }),
  ),
  partitions: Type.Optional(
    Type.Object(
      {
        added: Type.Optional(Type.Array(Type.String())),
        altered: Type.Optional(Type.Array(Type.String())),
        dropped: Type.Optional(Type.Array(Type.String())),
      },
      { description: "A Hive metastore table's partitions the change added, altered or dropped, by Hive's partition name (k1=v1/k2=v2)." },
    ),
  ),
});
const RenameEvent = Type.Object({
  warehouse: Type.String(),
  uuid: Type.String(),
  from: Type.Object({ namespace: Type.Array(Type.String()), name: Type.String() }),
  to: Type.Object({ namespace: Type.Array(Type.String()), name: Type.String() }),
  actor: Type.Optional(Type.String()),
});
const NamespaceEvent = Type.Object({ warehouse: Type.String(), namespace: Type.Array(Type.String()), actor: Type.Optional(Type.String()) });

export const CatalogEvents = {
  tableCreated: defineEventType('io.lakeplane.catalog.table.created.v1', 'A table was created or registered.', ObjectEvent),
  tableCommitted: defineEventType(
    'io.lakeplane.catalog.table.committed.v1',
    "A commit changed a table's metadata (new snapshot, schema, properties...).",
    ObjectEvent,
  ),
  tableDropped: defineEventType(
    'io.lakeplane.catalog.table.dropped.v1',
    'A table was dropped (purged: its files were deleted too) or unregistered.',
    ObjectEvent,
  ),
  tableRenamed: defineEventType('io.lakeplane.catalog.table.renamed.v1', 'A table was renamed or moved to another namespace.', RenameEvent),
  viewCreated: defineEventType('io.lakeplane.catalog.view.created.v1', 'A view was created or registered.', ObjectEvent),
  viewReplaced: defineEventType('io.lakeplane.catalog.view.replaced.v1', 'A view was replaced (a new version) or its properties changed.', ObjectEvent),
  viewDropped: defineEventType('io.lakeplane.catalog.view.dropped.v1', 'A view was dropped.', ObjectEvent),
  viewRenamed: defineEventType('io.lakeplane.catalog.view.renamed.v1', 'A view was renamed or moved to another namespace.', RenameEvent),
  namespaceCreated: defineEventType('io.lakeplane.catalog.namespace.created.v1', 'A namespace was created.', NamespaceEvent),
  namespaceUpdated: defineEventType('io.lakeplane.catalog.namespace.updated.v1', "A namespace's properties changed.", NamespaceEvent),
  namespaceDropped: defineEventType('io.lakeplane.catalog.namespace.dropped.v1', 'A namespace was dropped.', NamespaceEvent),
} as const;
