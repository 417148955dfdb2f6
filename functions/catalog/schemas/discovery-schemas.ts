import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { TagAttributes, TagAttributeValues } from '../../../shared/policy/index.js';
import { PRINTABLE_TRIMMED, StringMap } from '../../../shared/schema/index.js';
import { MAX_TAGS } from '../domain/annotations.js';
import { SEARCH_KINDS } from '../domain/search-query.js';
import { WarehouseParams } from './warehouse-schemas.js';

const WarehouseName = WarehouseParams.properties.name;
const namespacePath = (description: string) => Type.String({ minLength: 1, maxLength: 4096, description });
const NamespacePath = namespacePath(
  "The namespace's levels joined by the unit separator 0x1F (url-encoded %1F), as in the Iceberg REST API. A dot is part of a level's name: sales.emea is ONE level; the nested namespace sales > emea is sales%1Femea.",
);
const ObjectName = Type.String({ minLength: 1, maxLength: 512 });
const ColumnName = Type.String({
  minLength: 1,
  maxLength: 2048,
  description: "The column's full Iceberg name: a nested field as parent.child (url-encoded in the path).",
});

/** Printable, and no white space at either end: tags are labels to filter on, not prose. */
const Tag = Type.String({
  minLength: 1,
  maxLength: 64,
  pattern: PRINTABLE_TRIMMED,
  description: 'A label, compared exactly (case-sensitive) by the tag filter and searchable as words.',
});
const tags = (description: string) => Type.Array(Tag, { maxItems: MAX_TAGS, uniqueItems: true, description });
const Description = Type.Union([Type.String({ maxLength: 4000 }), Type.Null()], { description: 'Free text; null clears it.' });
const Owner = Type.Union([Type.String({ minLength: 1, maxLength: 200, pattern: PRINTABLE_TRIMMED }), Type.Null()], {
  description: 'Who answers for it: a user, a group or a team, as free text (for example user:ada or group:analysts); null clears it.',
});
const Version = Type.Integer({
  minimum: 0,
  description:
    'The version this change was made against (from a previous answer). If the annotations changed since, the answer is 409 and nothing changes. Omit it to apply the change on top of whatever is current.',
});

const tagEdits = {
  tags: Type.Optional(tags('Replaces every tag.')),
  addTags: Type.Optional(
    tags('Tags to add to the current ones (kept in order, no repeats); applied to the current tags under a row lock, so concurrent additions all land.'),
  ),
  removeTags: Type.Optional(tags('Tags to remove from the current ones; absent tags are ignored (their attributes go with them).')),
  tagAttributes: Type.Optional(
    StringMap({ minLength: 1, maxLength: 64, pattern: PRINTABLE_TRIMMED }, Type.Union([TagAttributeValues, Type.Null()]), {
      maxProperties: MAX_TAGS,
      description:
        'Attributes of tags, by tag name, as Ranger\'s tags carry them: e.g. {"EXPIRES_ON": {"expiry_date": "2027/12/31"}}, which Ranger\'s EXPIRES_ON policy (accessed-after-expiry) denies after. Each replaces that tag\'s attributes; null or {} clears them. Each tag named must be among the tags after the change (add it in the same request). A tag keeps its attributes while it stays, also through a replacing tags list.',
    }),
  ),
};
/** In answers: present only when some tag has attributes, so an answer without any reads as before. */
const TagAttributesOut = Type.Optional({ ...TagAttributes, description: 'Attributes of the tags that have some, by tag name; absent when none has.' });

export const AnnotationPatch = Type.Object(
  { description: Type.Optional(Description), owner: Type.Optional(Owner), ...tagEdits, version: Type.Optional(Version) },
  { additionalProperties: false },
);
export type AnnotationPatchValue = Static<typeof AnnotationPatch>;

export const ColumnAnnotationPatch = Type.Object(
  { description: Type.Optional(Description), ...tagEdits, version: Type.Optional(Version) },
  { additionalProperties: false },
);
export type ColumnAnnotationPatchValue = Static<typeof ColumnAnnotationPatch>;

export const WarehouseAnnotationParams = Type.Object({ warehouse: WarehouseName });
export const NamespaceAnnotationParams = Type.Object({ warehouse: WarehouseName, namespace: NamespacePath });
export function objectAnnotationParams<K extends 'table' | 'view'>(kind: K) {
  return Type.Object({ warehouse: WarehouseName, namespace: NamespacePath, [kind]: ObjectName } as {
    warehouse: typeof WarehouseName;
    namespace: typeof NamespacePath;
  } & Record<K, typeof ObjectName>);
}
export function columnAnnotationParams<K extends 'table' | 'view'>(kind: K) {
  return Type.Object({ warehouse: WarehouseName, namespace: NamespacePath, [kind]: ObjectName, column: ColumnName } as {
    warehouse: typeof WarehouseName;
    namespace: typeof NamespacePath;
    column: typeof ColumnName;
  } & Record<K, typeof ObjectName>);
}

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const Timestamp = Type.String({ format: 'date-time' });

export const Annotation = Type.Object({
  kind: Type.Union([Type.Literal('warehouse'), Type.Literal('namespace'), Type.Literal('table'), Type.Literal('view')]),
  warehouse: Type.String(),
  namespace: Type.Optional(Type.Array(Type.String())),
  name: Type.Optional(Type.String()),
  description: Nullable(Type.String()),
  owner: Nullable(Type.String()),
  tags: Type.Array(Type.String()),
  tagAttributes: TagAttributesOut,
  version: Type.Integer({ description: 'Send it back with a change to make the change conditional on it.' }),
  updatedAt: Nullable(Timestamp),
});

export const ColumnAnnotation = Type.Object({
  kind: Type.Literal('column'),
  warehouse: Type.String(),
  namespace: Type.Array(Type.String()),
  name: Type.String({ description: 'The table or view.' }),
  objectKind: Type.Union([Type.Literal('table'), Type.Literal('view')]),
  column: Type.String({ description: 'Full Iceberg name of the column.' }),
  fieldId: Type.Integer({ description: 'Iceberg field id: annotations are kept by it, so they follow a renamed column.' }),
  type: Type.String({ description: 'The Iceberg type: a primitive (long, decimal(10,2)...) or struct, list, map.' }),
  required: Type.Boolean(),
  doc: Nullable(Type.String({ description: 'The column doc written in the Iceberg schema by the engine.' })),
  description: Nullable(Type.String()),
  tags: Type.Array(Type.String()),
  tagAttributes: TagAttributesOut,
  version: Type.Integer({ description: '0 while the column was never annotated.' }),
  updatedAt: Nullable(Timestamp),
});
export const ColumnAnnotationList = Type.Object({ items: Type.Array(ColumnAnnotation) });

const KIND_LIST = `^(${SEARCH_KINDS.join('|')})(,(${SEARCH_KINDS.join('|')}))*$`;

export const SearchQuery = Type.Object(
  {
    q: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 200,
        description:
          'Words to find in names, descriptions, tags and column names; each word matches as a prefix (cust finds customer_id), all words must match.',
      }),
    ),
    kind: Type.Optional(Type.String({ pattern: KIND_LIST, description: `What to find, comma-separated: ${SEARCH_KINDS.join(', ')}. Default: everything.` })),
    warehouse: Type.Optional(WarehouseName),
    namespace: Type.Optional(namespacePath('Only this namespace and the namespaces below it (needs warehouse). Levels joined by %1F.')),
    tag: Type.Optional(
      Type.Union([Tag, Type.Array(Tag, { minItems: 1, maxItems: 10 })], {
        description: "Only hits carrying this tag (repeat for several: all must be present). A column's own tags count, not its table's.",
      }),
    ),
    owner: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: "Only hits with this owner (exact); a column has its table's owner." })),
    pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
    pageToken: Type.Optional(Type.String({ minLength: 1, maxLength: 4096 })),
  },
  { additionalProperties: false },
);
export type SearchQueryValue = Static<typeof SearchQuery>;

export const SearchHit = Type.Object({
  kind: Type.Union(SEARCH_KINDS.map((k) => Type.Literal(k))),
  warehouse: Type.String(),
  namespace: Nullable(Type.Array(Type.String())),
  name: Type.String({ description: "The warehouse, the namespace's last level, or the table or view (for a column: its table or view)." }),
  column: Type.Optional(Type.String()),
  fieldId: Type.Optional(Type.Integer()),
  objectKind: Type.Optional(Type.Union([Type.Literal('table'), Type.Literal('view')])),
  description: Nullable(Type.String({ description: 'For a column without a description of its own: its Iceberg doc.' })),
  tags: Type.Array(Type.String()),
  owner: Nullable(Type.String()),
  score: Type.Number(),
  matchedFields: Type.Array(Type.Union([Type.Literal('name'), Type.Literal('description'), Type.Literal('tags'), Type.Literal('columns')])),
  matchedColumns: Type.Optional(Type.Array(Type.String(), { description: 'For a table or view matched by column names: the first few of them.' })),
  href: Type.String({ description: 'Where its annotations are read and changed.' }),
});
export const SearchResult = Type.Object({
  items: Type.Array(SearchHit),
  nextPageToken: Nullable(
    Type.String({
      description:
        'Pass it as pageToken, with the same q and filters, for the next page. A page may hold fewer than pageSize hits (hits you may not read are left out); only a null token means the end.',
    }),
  ),
});
