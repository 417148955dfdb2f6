import { Type } from '@sinclair/typebox';
import { defineEventType } from '../../shared/events/index.js';

const AnnotationEvent = Type.Object({
  target: Type.Union([Type.Literal('warehouse'), Type.Literal('namespace'), Type.Literal('table'), Type.Literal('view'), Type.Literal('column')]),
  warehouse: Type.String(),
  namespace: Type.Optional(Type.Array(Type.String())),
  name: Type.Optional(Type.String({ description: 'The table or view (of a column too).' })),
  column: Type.Optional(Type.String()),
  fieldId: Type.Optional(Type.Integer()),
  changed: Type.Array(Type.Union([Type.Literal('description'), Type.Literal('owner'), Type.Literal('tags')])),
  version: Type.Integer({ description: "The annotations' version after the change." }),
  actor: Type.String(),
});

/** What catalog discovery announces: search indexers, notifications and lineage tools follow curation through it. */
export const DiscoveryEvents = {
  annotationsUpdated: defineEventType(
    'io.lakeplane.catalog.annotations.updated.v1',
    'The description, owner or tags of a warehouse, namespace, table, view or column changed.',
    AnnotationEvent,
  ),
} as const;
