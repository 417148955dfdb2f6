import { InvalidMetadataUpdateError } from '../../../shared/errors/index.js';
import { sameLong, stringifyJsonLossless, type Long } from '../../../shared/json/index.js';
import type { TableUpdateValue } from '../schemas/iceberg-requests.js';
import type { IcebergSchemaValue, PartitionSpecValue, SnapshotReferenceValue, SortOrderValue } from '../schemas/iceberg-types.js';
import { fieldIds, highestFieldId, sameSchema, withoutNulls } from './schema-ids.js';
import {
  DEFAULT_FORMAT_VERSION,
  MAIN_BRANCH,
  NO_SNAPSHOT,
  PARTITION_FIELD_ID_START,
  isFormatVersion,
  type FormatVersion,
  type PartitionSpecWithId,
  type TableMetadata,
} from './table-metadata.js';

const LAST_ADDED = -1;
const PREVIOUS_VERSIONS_MAX = 'write.metadata.previous-versions-max';
const DEFAULT_PREVIOUS_VERSIONS_MAX = 100;

function bad(message: string): never {
  throw new InvalidMetadataUpdateError(message);
}

/**
 * Applies TableUpdates to table metadata the way Iceberg's TableMetadata.Builder does, so a client sees the same
 * table from us as from the reference catalog: ids reused for identical schemas, specs and orders, -1 meaning "the
 * one added in this commit", main's snapshot log, the metadata log, v3 row lineage. Pure: time comes in as `now`.
 */
export class TableMetadataBuilder {
  private m: TableMetadata;
  private readonly base: TableMetadata | null;
  private lastAddedSchemaId: number | undefined;
  private lastAddedSpecId: number | undefined;
  private lastAddedOrderId: number | undefined;
  private lastUpdatedMs: Long | undefined;
  private readonly addedSnapshotIds = new Set<string>();
  private changes = 0;

  /** `base` null starts an empty table (a create, or the commit of a staged create). */
  constructor(
    base: TableMetadata | null,
    private readonly now: number,
  ) {
    this.base = base;
    this.m = base
      ? copyForUpdate(base)
      : {
          'format-version': DEFAULT_FORMAT_VERSION,
          'table-uuid': '',
          location: '',
          'last-sequence-number': 0,
          'last-updated-ms': now,
          'last-column-id': 0,
          schemas: [],
          'current-schema-id': -1,
          'partition-specs': [],
          'default-spec-id': -1,
          'last-partition-id': PARTITION_FIELD_ID_START - 1,
          'sort-orders': [],
          'default-sort-order-id': -1,
          properties: {},
          'current-snapshot-id': NO_SNAPSHOT,
          refs: {},
          snapshots: [],
          statistics: [],
          'partition-statistics': [],
          'snapshot-log': [],
          'metadata-log': [],
        };
  }

  get hasChanges(): boolean {
    return this.changes > 0;
  }

  applyAll(updates: readonly TableUpdateValue[]): this {
    for (const u of updates) this.apply(u);
    return this;
  }

  apply(u: TableUpdateValue): this {
    switch (u.action) {
      case 'assign-uuid':
        return this.assignUuid(u.uuid);
      case 'upgrade-format-version':
        return this.upgradeFormatVersion(u['format-version']);
      case 'add-schema':
        return this.addSchema(u.schema, u['last-column-id'] ?? undefined);
      case 'set-current-schema':
        return this.setCurrentSchema(u['schema-id']);
      case 'add-spec':
        return this.addSpec(u.spec);
      case 'set-default-spec':
        return this.setDefaultSpec(u['spec-id']);
      case 'add-sort-order':
        return this.addSortOrder(u['sort-order']);
      case 'set-default-sort-order':
        return this.setDefaultSortOrder(u['sort-order-id']);
      case 'add-snapshot':
        return this.addSnapshot(u.snapshot);
      case 'set-snapshot-ref': {
        const { action: _a, 'ref-name': name, ...ref } = u;
        return this.setRef(name, ref as SnapshotReferenceValue);
      }
      case 'remove-snapshots':
        return this.removeSnapshots(u['snapshot-ids']);
      case 'remove-snapshot-ref':
        return this.removeRef(u['ref-name']);
      case 'set-location':
        return this.setLocation(u.location);
      case 'set-properties':
        return this.setProperties(u.updates);
      case 'remove-properties':
        return this.removeProperties(u.removals);
      case 'set-statistics':
        return this.changed(() => {
          const id = u.statistics['snapshot-id'];
          this.m.statistics = [...this.m.statistics.filter((s) => !sameLong(s['snapshot-id'], id)), u.statistics];
        });
      case 'remove-statistics':
        return this.changed(() => {
          this.m.statistics = this.m.statistics.filter((s) => !sameLong(s['snapshot-id'], u['snapshot-id']));
        });
      case 'set-partition-statistics':
        return this.changed(() => {
          const stats = u['partition-statistics'];
          this.m['partition-statistics'] = [...this.m['partition-statistics'].filter((s) => !sameLong(s['snapshot-id'], stats['snapshot-id'])), stats];
        });
      case 'remove-partition-statistics':
        return this.changed(() => {
          this.m['partition-statistics'] = this.m['partition-statistics'].filter((s) => !sameLong(s['snapshot-id'], u['snapshot-id']));
        });
      case 'remove-partition-specs':
        return this.removeSpecs(u['spec-ids']);
      case 'remove-schemas':
        return this.removeSchemas(u['schema-ids']);
      case 'add-encryption-key':
        return this.changed(() => {
          const key = u['encryption-key'];
          this.m['encryption-keys'] = [...(this.m['encryption-keys'] ?? []).filter((k) => k['key-id'] !== key['key-id']), key];
        });
      case 'remove-encryption-key':
        return this.changed(() => {
          this.m['encryption-keys'] = (this.m['encryption-keys'] ?? []).filter((k) => k['key-id'] !== u['key-id']);
        });
    }
  }

  private changed(f: () => void): this {
    f();
    this.changes++;
    return this;
  }

  assignUuid(uuid: string): this {
    if (this.m['table-uuid'] === uuid) return this;
    if (this.base) bad(`Cannot reassign uuid: table ${this.base['table-uuid']} cannot become ${uuid}`);
    return this.changed(() => (this.m['table-uuid'] = uuid));
  }

  upgradeFormatVersion(version: number): this {
    const current = this.m['format-version'];
    if (!isFormatVersion(version)) bad(`Cannot upgrade table to unsupported format version: v${version} (supported: v1, v2, v3)`);
    // An empty table starts at the default version and may be created at any supported one.
    if (version < current && this.base) bad(`Cannot downgrade v${current} table to v${version}`);
    if (version === current && this.base) return this;
    return this.changed(() => {
      this.m['format-version'] = version as FormatVersion;
      if (version >= 3 && this.m['next-row-id'] === undefined) this.m['next-row-id'] = 0;
    });
  }

  /**
   * The deprecated `last-column-id` is a hint only, as in Java's AddSchema: the table's last column id becomes the
   * highest of it, the table's and the schema's (a schema that drops columns sends a lower one).
   */
  addSchema(sent: IcebergSchemaValue, lastColumnId?: number): this {
    const schema = withoutNulls(sent);
    const newLast = Math.max(this.m['last-column-id'], lastColumnId ?? 0, highestFieldId(schema));
    const existing = this.m.schemas.find((s) => sameSchema(s, schema));
    if (existing) {
      this.lastAddedSchemaId = existing['schema-id'];
      if (newLast !== this.m['last-column-id']) this.changed(() => (this.m['last-column-id'] = newLast));
      return this;
    }
    // Java's reuseOrCreateNewSchemaId: the id a client sent is ignored; a new schema takes the next free one.
    const schemaId = this.m.schemas.length === 0 ? 0 : Math.max(...this.m.schemas.map((s) => s['schema-id'] ?? 0)) + 1;
    const identifiers = schema['identifier-field-ids'] ?? [];
    const known = fieldIds(schema);
    for (const id of identifiers) if (!known.has(id)) bad(`Identifier field ${id} is not a field of the schema`);
    return this.changed(() => {
      this.m.schemas.push({ ...schema, 'schema-id': schemaId });
      this.m['last-column-id'] = newLast;
      this.lastAddedSchemaId = schemaId;
    });
  }

  setCurrentSchema(requested: number): this {
    const id = requested === LAST_ADDED ? (this.lastAddedSchemaId ?? bad('Cannot set last added schema: no schema has been added')) : requested;
    if (!this.m.schemas.some((s) => s['schema-id'] === id)) bad(`Cannot set current schema to unknown schema: ${id}`);
    if (this.m['current-schema-id'] === id) return this;
    return this.changed(() => (this.m['current-schema-id'] = id));
  }

  addSpec(spec: PartitionSpecValue): this {
    const schema = this.currentSchemaOrLastAdded();
    const columns = schema ? fieldIds(schema) : new Set<number>();
    let nextFieldId = this.m['last-partition-id'];
    const fields = spec.fields.map((f) => {
      if (schema && !columns.has(f['source-id'])) bad(`Cannot add partition field ${f.name}: source column ${f['source-id']} is not in the current schema`);
      const fieldId = f['field-id'] ?? ++nextFieldId;
      return { 'source-id': f['source-id'], 'field-id': fieldId, name: f.name, transform: f.transform };
    });
    const names = new Set<string>();
    for (const f of fields) {
      if (names.has(f.name)) bad(`Cannot add partition spec: field name ${f.name} is used twice`);
      names.add(f.name);
    }
    if (this.m['format-version'] === 1 && fields.some((f, i) => f['field-id'] !== PARTITION_FIELD_ID_START + i)) {
      bad('Spec does not use sequential IDs that are required in v1');
    }
    const key = (fs: PartitionSpecWithId['fields']) => stringifyJsonLossless(fs.map((f) => [f['source-id'], f['field-id'], f.name, f.transform]));
    const existing = this.m['partition-specs'].find((s) => key(s.fields) === key(fields));
    const highest = fields.reduce((max, f) => Math.max(max, f['field-id']), this.m['last-partition-id']);
    if (existing) {
      this.lastAddedSpecId = existing['spec-id'];
      return this;
    }
    const specId = this.m['partition-specs'].reduce((max, s) => Math.max(max, s['spec-id']), -1) + 1;
    return this.changed(() => {
      this.m['partition-specs'].push({ 'spec-id': specId, fields });
      this.m['last-partition-id'] = highest;
      this.lastAddedSpecId = specId;
    });
  }

  setDefaultSpec(requested: number): this {
    const id = requested === LAST_ADDED ? (this.lastAddedSpecId ?? bad('Cannot set last added spec: no spec has been added')) : requested;
    if (!this.m['partition-specs'].some((s) => s['spec-id'] === id)) bad(`Cannot set default partition spec to unknown spec: ${id}`);
    if (this.m['default-spec-id'] === id) return this;
    return this.changed(() => (this.m['default-spec-id'] = id));
  }

  addSortOrder(order: SortOrderValue): this {
    const schema = this.currentSchemaOrLastAdded();
    const columns = schema ? fieldIds(schema) : new Set<number>();
    for (const f of order.fields) {
      if (schema && !columns.has(f['source-id'])) bad(`Cannot add sort order: source column ${f['source-id']} is not in the current schema`);
    }
    const key = (o: SortOrderValue) => stringifyJsonLossless(o.fields.map((f) => [f['source-id'], f.transform, f.direction, f['null-order']]));
    const existing = this.m['sort-orders'].find((o) => key(o) === key(order));
    if (existing) {
      this.lastAddedOrderId = existing['order-id'];
      return this;
    }
    // 0 is the unsorted order; sorted orders take the next id above every other.
    const orderId = order.fields.length === 0 ? 0 : Math.max(0, ...this.m['sort-orders'].map((o) => o['order-id'])) + 1;
    return this.changed(() => {
      this.m['sort-orders'].push({ 'order-id': orderId, fields: order.fields });
      this.lastAddedOrderId = orderId;
    });
  }

  setDefaultSortOrder(requested: number): this {
    const id = requested === LAST_ADDED ? (this.lastAddedOrderId ?? bad('Cannot set last added sort order: no sort order has been added')) : requested;
    if (!this.m['sort-orders'].some((o) => o['order-id'] === id)) bad(`Cannot set default sort order to unknown order: ${id}`);
    if (this.m['default-sort-order-id'] === id) return this;
    return this.changed(() => (this.m['default-sort-order-id'] = id));
  }

  addSnapshot(sent: TableMetadata['snapshots'][number]): this {
    const snapshot = withoutNulls(sent);
    const id = snapshot['snapshot-id'];
    if (this.m.snapshots.some((s) => sameLong(s['snapshot-id'], id))) bad(`Snapshot already exists for id: ${String(id)}`);
    const v = this.m['format-version'];
    const seq = snapshot['sequence-number'] ?? 0;
    if (v > 1 && snapshot['parent-snapshot-id'] != null && BigInt(seq) <= BigInt(this.m['last-sequence-number'])) {
      bad(`Cannot add snapshot with sequence number ${String(seq)} older than last sequence number ${String(this.m['last-sequence-number'])}`);
    }
    if (snapshot['schema-id'] != null && !this.m.schemas.some((s) => s['schema-id'] === snapshot['schema-id'])) {
      bad(`Cannot add snapshot ${String(id)}: schema ${snapshot['schema-id']} does not exist`);
    }
    let nextRowId: Long | undefined = this.m['next-row-id'];
    if (v >= 3) {
      const first = snapshot['first-row-id'];
      const added = snapshot['added-rows'];
      if (first == null || added == null) bad('Cannot add a snapshot to a v3 table: first-row-id and added-rows are required');
      if (BigInt(first) < BigInt(nextRowId ?? 0))
        bad(`Cannot add a snapshot, first-row-id is behind table next-row-id: ${String(first)} < ${String(nextRowId ?? 0)}`);
      nextRowId = BigInt(nextRowId ?? 0) + BigInt(added);
    }
    return this.changed(() => {
      this.m.snapshots.push(snapshot);
      this.addedSnapshotIds.add(String(id));
      if (v > 1 && BigInt(seq) > BigInt(this.m['last-sequence-number'])) this.m['last-sequence-number'] = seq;
      if (nextRowId !== undefined && v >= 3) this.m['next-row-id'] = normalizeLong(nextRowId);
      this.lastUpdatedMs = snapshot['timestamp-ms'];
    });
  }

  setRef(name: string, ref: SnapshotReferenceValue): this {
    const id = ref['snapshot-id'];
    const snapshot = this.m.snapshots.find((s) => sameLong(s['snapshot-id'], id));
    if (!snapshot) bad(`Cannot set ${name} to unknown snapshot: ${String(id)}`);
    const existing = this.m.refs[name];
    if (existing && stringifyJsonLossless(existing) === stringifyJsonLossless(ref)) return this;
    if (name === MAIN_BRANCH && ref.type !== 'branch') bad('Cannot set main to a tag: main is always a branch');
    return this.changed(() => {
      this.m.refs[name] = cleanRef(ref);
      if (name === MAIN_BRANCH) {
        this.m['current-snapshot-id'] = id;
        // A snapshot added in this commit is current from its own timestamp; an older one from now.
        const at = this.addedSnapshotIds.has(String(id)) ? snapshot['timestamp-ms'] : this.now;
        this.lastUpdatedMs ??= at;
        this.m['snapshot-log'].push({ 'timestamp-ms': this.lastUpdatedMs, 'snapshot-id': id });
      }
    });
  }

  removeRef(name: string): this {
    if (!(name in this.m.refs)) return this;
    return this.changed(() => {
      delete this.m.refs[name];
      if (name === MAIN_BRANCH) this.m['current-snapshot-id'] = NO_SNAPSHOT;
    });
  }

  removeSnapshots(ids: readonly Long[]): this {
    const removing = new Set(ids.map((id) => String(id)));
    if (!this.m.snapshots.some((s) => removing.has(String(s['snapshot-id'])))) return this;
    return this.changed(() => {
      this.m.snapshots = this.m.snapshots.filter((s) => !removing.has(String(s['snapshot-id'])));
      for (const [name, ref] of Object.entries(this.m.refs)) {
        if (removing.has(String(ref['snapshot-id']))) {
          delete this.m.refs[name];
          if (name === MAIN_BRANCH) this.m['current-snapshot-id'] = NO_SNAPSHOT;
        }
      }
      this.m.statistics = this.m.statistics.filter((s) => !removing.has(String(s['snapshot-id'])));
      this.m['partition-statistics'] = this.m['partition-statistics'].filter((s) => !removing.has(String(s['snapshot-id'])));
      // History before a removed snapshot goes too, or time travel would skip the gap (Java's updateSnapshotLog).
      const log: TableMetadata['snapshot-log'] = [];
      const kept = new Set(this.m.snapshots.map((s) => String(s['snapshot-id'])));
      for (const entry of this.m['snapshot-log']) {
        if (kept.has(String(entry['snapshot-id']))) log.push(entry);
        else log.length = 0;
      }
      this.m['snapshot-log'] = log;
    });
  }

  setLocation(location: string): this {
    const trimmed = location.replace(/\/+$/, '');
    if (this.m.location === trimmed) return this;
    return this.changed(() => (this.m.location = trimmed));
  }

  setProperties(updates: Record<string, string>): this {
    if (Object.keys(updates).length === 0) return this;
    return this.changed(() => Object.assign(this.m.properties, updates));
  }

  removeProperties(removals: readonly string[]): this {
    if (removals.length === 0) return this;
    return this.changed(() => {
      for (const key of removals) delete this.m.properties[key];
    });
  }

  removeSpecs(ids: readonly number[]): this {
    if (ids.includes(this.m['default-spec-id'])) bad(`Cannot remove the default partition spec ${this.m['default-spec-id']}`);
    if (!this.m['partition-specs'].some((s) => ids.includes(s['spec-id']))) return this;
    return this.changed(() => (this.m['partition-specs'] = this.m['partition-specs'].filter((s) => !ids.includes(s['spec-id']))));
  }

  removeSchemas(ids: readonly number[]): this {
    if (ids.includes(this.m['current-schema-id'])) bad(`Cannot remove the current schema ${this.m['current-schema-id']}`);
    if (!this.m.schemas.some((s) => ids.includes(s['schema-id'] ?? -1))) return this;
    return this.changed(() => (this.m.schemas = this.m.schemas.filter((s) => !ids.includes(s['schema-id'] ?? -1))));
  }

  private currentSchemaOrLastAdded(): IcebergSchemaValue | undefined {
    const id = this.lastAddedSchemaId ?? this.m['current-schema-id'];
    return this.m.schemas.find((s) => s['schema-id'] === id);
  }

  /**
   * The new metadata. `previousLocation` is the metadata file being replaced; it enters the metadata log, which keeps
   * the newest write.metadata.previous-versions-max entries.
   */
  build(previousLocation: string | null): TableMetadata {
    const m = this.m;
    if (!m['table-uuid']) bad('Cannot create a table without a uuid: assign-uuid is required');
    if (!m.location) bad('Cannot create a table without a location: set-location is required');
    if (m.schemas.length === 0 || !m.schemas.some((s) => s['schema-id'] === m['current-schema-id']))
      bad('Cannot create a table without a current schema: add-schema and set-current-schema are required');
    if (m['partition-specs'].length === 0) m['partition-specs'].push({ 'spec-id': 0, fields: [] });
    if (m['default-spec-id'] === -1) m['default-spec-id'] = m['partition-specs'][0]?.['spec-id'] ?? 0;
    if (m['sort-orders'].length === 0) m['sort-orders'].push({ 'order-id': 0, fields: [] });
    if (m['default-sort-order-id'] === -1) m['default-sort-order-id'] = m['sort-orders'][0]?.['order-id'] ?? 0;
    if (!this.hasChanges && this.base) return this.base;
    m['last-updated-ms'] = this.lastUpdatedMs ?? this.now;
    if (previousLocation && this.base) {
      const max = Number(m.properties[PREVIOUS_VERSIONS_MAX] ?? DEFAULT_PREVIOUS_VERSIONS_MAX);
      const log = [...m['metadata-log'], { 'timestamp-ms': this.base['last-updated-ms'], 'metadata-file': previousLocation }];
      m['metadata-log'] = Number.isFinite(max) && max >= 1 ? log.slice(-Math.floor(max)) : log;
    }
    return m;
  }
}

/**
 * The copy of `base` the builder works on: every top-level array and object is new, what they hold (snapshots,
 * schemas, specs, refs) is shared, since the builder only ever adds, replaces or removes those, never changes one
 * in place. A base is shared too (a commit's result is kept as the next commit's base), and a deep copy of a table
 * with a few hundred snapshots took milliseconds of every commit.
 */
function copyForUpdate(base: TableMetadata): TableMetadata {
  const m: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(base)) {
    if (Array.isArray(value)) m[key] = [...(value as unknown[])];
    else if (value !== null && typeof value === 'object') m[key] = { ...(value as object) };
  }
  return m as unknown as TableMetadata;
}

function cleanRef(ref: SnapshotReferenceValue): SnapshotReferenceValue {
  const out: SnapshotReferenceValue = { 'snapshot-id': ref['snapshot-id'], type: ref.type };
  if (ref['max-ref-age-ms'] != null) out['max-ref-age-ms'] = ref['max-ref-age-ms'];
  if (ref['max-snapshot-age-ms'] != null) out['max-snapshot-age-ms'] = ref['max-snapshot-age-ms'];
  if (ref['min-snapshots-to-keep'] != null) out['min-snapshots-to-keep'] = ref['min-snapshots-to-keep'];
  return out;
}

/** A bigint small enough to be a safe number becomes one again, so stored JSON stays plain. */
function normalizeLong(v: bigint | number): Long {
  return typeof v === 'bigint' && v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(v) : v;
}
