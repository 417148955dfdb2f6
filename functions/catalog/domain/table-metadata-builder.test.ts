import { describe, expect, it } from 'vitest';
import { CommitFailedError, InvalidMetadataUpdateError } from '../../../shared/errors/index.js';
import { createTableUpdates } from './new-table.js';
import { TableMetadataBuilder } from './table-metadata-builder.js';
import { tableMetadataDocument, type TableMetadata } from './table-metadata.js';
import { parseTableMetadata } from './table-metadata-parser.js';
import { checkTableRequirements } from './table-requirements.js';
import { ViewMetadataBuilder } from './view-metadata.js';

const schema = {
  type: 'struct' as const,
  fields: [
    { id: 10, name: 'id', required: true, type: 'long' },
    { id: 11, name: 'point', required: false, type: { type: 'struct' as const, fields: [{ id: 12, name: 'x', required: true, type: 'double' }] } },
    { id: 13, name: 'tags', required: false, type: { type: 'list' as const, 'element-id': 14, element: 'string', 'element-required': false } },
    {
      id: 15,
      name: 'props',
      required: false,
      type: { type: 'map' as const, 'key-id': 16, key: 'string', 'value-id': 17, value: 'string', 'value-required': false },
    },
  ],
};

function newTable(properties: Record<string, string> = {}, now = 1_000): TableMetadata {
  const updates = createTableUpdates(
    { name: 't', schema, properties, 'partition-spec': { fields: [{ 'source-id': 10, name: 'id_bucket', transform: 'bucket[16]' }] } },
    'uuid-1',
    'file:///wh/t',
  );
  return new TableMetadataBuilder(null, now).applyAll(updates).build(null);
}

function snapshot(id: bigint | number, parent: bigint | number | null, seq: number, ts: number, extra: Record<string, unknown> = {}) {
  return {
    'snapshot-id': id,
    ...(parent !== null ? { 'parent-snapshot-id': parent } : {}),
    'sequence-number': seq,
    'timestamp-ms': ts,
    'manifest-list': `s3://b/${id}.avro`,
    summary: { operation: 'append' as const },
    ...extra,
  };
}

describe('new tables', () => {
  it("assigns fresh ids the way Java does: a struct's fields first, then nested types", () => {
    const m = newTable();
    const fields = m.schemas[0]!.fields;
    expect(fields.map((f) => f.id)).toEqual([1, 2, 3, 4]);
    expect((fields[1]!.type as { fields: Array<{ id: number }> }).fields[0]!.id).toBe(5);
    expect(fields[2]!.type).toMatchObject({ 'element-id': 6 });
    expect(fields[3]!.type).toMatchObject({ 'key-id': 7, 'value-id': 8 });
    expect(m['last-column-id']).toBe(8);
    expect(m['partition-specs'][0]!.fields[0]).toEqual({ 'source-id': 1, 'field-id': 1000, name: 'id_bucket', transform: 'bucket[16]' });
  });

  it('takes format-version from the properties and keeps it out of them', () => {
    const v1 = newTable({ 'format-version': '1', owner: 'x' });
    expect(v1['format-version']).toBe(1);
    expect(v1.properties).toEqual({ owner: 'x' });
    const doc = tableMetadataDocument(v1);
    expect(doc['schema']).toEqual(v1.schemas[0]);
    expect(doc['partition-spec']).toEqual(v1['partition-specs'][0]!.fields);
    expect(doc['last-sequence-number']).toBeUndefined();
    expect(tableMetadataDocument(newTable({ 'format-version': '3' }))['next-row-id']).toBe(0);
  });
});

describe('commits', () => {
  it("keeps 64-bit snapshot ids exact and logs main's history", () => {
    const base = newTable();
    const id = 9_223_372_036_854_775_807n;
    const m = new TableMetadataBuilder(base, 5_000)
      .applyAll([
        { action: 'add-snapshot', snapshot: snapshot(id, null, 1, 4_000) },
        { action: 'set-snapshot-ref', 'ref-name': 'main', type: 'branch', 'snapshot-id': id },
      ])
      .build('file:///wh/t/metadata/00000-a.metadata.json');
    expect(m['current-snapshot-id']).toBe(id);
    expect(m['snapshot-log']).toEqual([{ 'timestamp-ms': 4_000, 'snapshot-id': id }]);
    expect(m['last-updated-ms']).toBe(4_000);
    expect(m['metadata-log']).toEqual([{ 'timestamp-ms': 1_000, 'metadata-file': 'file:///wh/t/metadata/00000-a.metadata.json' }]);
  });

  it('drops the snapshot history before a removed snapshot, and refs that pointed at it', () => {
    let m = newTable();
    for (const [id, parent, seq] of [
      [1, null, 1],
      [2, 1, 2],
      [3, 2, 3],
    ] as const) {
      m = new TableMetadataBuilder(m, 1_000 + seq)
        .applyAll([
          { action: 'add-snapshot', snapshot: snapshot(id, parent, seq, 1_000 + seq) },
          { action: 'set-snapshot-ref', 'ref-name': 'main', type: 'branch', 'snapshot-id': id },
        ])
        .build('x');
    }
    m = new TableMetadataBuilder(m, 9_000).apply({ action: 'set-snapshot-ref', 'ref-name': 'old', type: 'tag', 'snapshot-id': 2 }).build('x');
    const after = new TableMetadataBuilder(m, 9_100).apply({ action: 'remove-snapshots', 'snapshot-ids': [2] }).build('x');
    expect(after.snapshots.map((s) => s['snapshot-id'])).toEqual([1, 3]);
    expect(after['snapshot-log'].map((e) => e['snapshot-id'])).toEqual([3]);
    expect(after.refs['old']).toBeUndefined();
    expect(after['current-snapshot-id']).toBe(3);
  });

  it('refuses an older sequence number, an unknown ref target, and a v3 snapshot without row lineage', () => {
    let m = newTable();
    m = new TableMetadataBuilder(m, 2).applyAll([{ action: 'add-snapshot', snapshot: snapshot(1, null, 5, 2) }]).build('x');
    expect(() => new TableMetadataBuilder(m, 3).apply({ action: 'add-snapshot', snapshot: snapshot(2, 1, 4, 3) })).toThrow(InvalidMetadataUpdateError);
    expect(() => new TableMetadataBuilder(m, 3).apply({ action: 'set-snapshot-ref', 'ref-name': 'b', type: 'branch', 'snapshot-id': 99 })).toThrow(
      /unknown snapshot/,
    );
    const v3 = newTable({ 'format-version': '3' });
    expect(() => new TableMetadataBuilder(v3, 3).apply({ action: 'add-snapshot', snapshot: snapshot(7, null, 1, 3) })).toThrow(/first-row-id and added-rows/);
    const lineage = new TableMetadataBuilder(v3, 3)
      .apply({ action: 'add-snapshot', snapshot: snapshot(7, null, 1, 3, { 'first-row-id': 0, 'added-rows': 25 }) })
      .build('x');
    expect(lineage['next-row-id']).toBe(25);
  });

  it('caps the metadata log at write.metadata.previous-versions-max', () => {
    let m = newTable({ 'write.metadata.previous-versions-max': '2' });
    for (let i = 0; i < 4; i++) m = new TableMetadataBuilder(m, 10 + i).apply({ action: 'set-properties', updates: { n: String(i) } }).build(`file:///m/${i}`);
    expect(m['metadata-log'].map((e) => e['metadata-file'])).toEqual(['file:///m/2', 'file:///m/3']);
  });

  it('a commit that changes nothing returns the base unchanged', () => {
    const m = newTable();
    const same = new TableMetadataBuilder(m, 99).applyAll([
      { action: 'set-current-schema', 'schema-id': 0 },
      { action: 'set-properties', updates: {} },
    ]);
    expect(same.hasChanges).toBe(false);
    expect(same.build('x')).toBe(m);
  });
});

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

describe('bases', () => {
  it("are never changed, whatever the updates: a commit's result is shared as the next commit's base", () => {
    let m = newTable();
    m = new TableMetadataBuilder(m, 2)
      .applyAll([
        { action: 'add-snapshot', snapshot: snapshot(1, null, 1, 2) },
        { action: 'set-snapshot-ref', 'ref-name': 'main', type: 'branch', 'snapshot-id': 1 },
        { action: 'set-properties', updates: { a: '1' } },
      ])
      .build('file:///m/0');
    const frozen = deepFreeze(m);
    const before = JSON.stringify(tableMetadataDocument(frozen), (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v));
    // Frozen all the way down: any change in place would throw (modules are strict mode).
    const next = new TableMetadataBuilder(frozen, 10)
      .applyAll([
        { action: 'upgrade-format-version', 'format-version': 3 },
        { action: 'add-schema', schema: { type: 'struct', fields: [...frozen.schemas[0]!.fields, { id: 9, name: 'more', required: false, type: 'string' }] } },
        { action: 'set-current-schema', 'schema-id': -1 },
        { action: 'add-spec', spec: { fields: [{ 'source-id': 1, name: 'id_b8', transform: 'bucket[8]' }] } },
        { action: 'set-default-spec', 'spec-id': -1 },
        {
          action: 'add-sort-order',
          'sort-order': { 'order-id': 1, fields: [{ 'source-id': 1, transform: 'identity', direction: 'asc', 'null-order': 'nulls-first' }] },
        },
        { action: 'set-default-sort-order', 'sort-order-id': -1 },
        { action: 'add-snapshot', snapshot: snapshot(2, 1, 2, 9, { 'first-row-id': 0, 'added-rows': 5 }) },
        { action: 'set-snapshot-ref', 'ref-name': 'main', type: 'branch', 'snapshot-id': 2 },
        { action: 'set-snapshot-ref', 'ref-name': 'tag1', type: 'tag', 'snapshot-id': 1 },
        { action: 'remove-snapshot-ref', 'ref-name': 'tag1' },
        {
          action: 'set-statistics',
          statistics: { 'snapshot-id': 2, 'statistics-path': 's3://b/s.puffin', 'file-size-in-bytes': 1, 'file-footer-size-in-bytes': 1, 'blob-metadata': [] },
        },
        { action: 'remove-statistics', 'snapshot-id': 2 },
        { action: 'set-partition-statistics', 'partition-statistics': { 'snapshot-id': 2, 'statistics-path': 's3://b/p.parquet', 'file-size-in-bytes': 1 } },
        { action: 'remove-partition-statistics', 'snapshot-id': 2 },
        { action: 'set-properties', updates: { b: '2' } },
        { action: 'remove-properties', removals: ['a'] },
        { action: 'set-location', location: 'file:///wh/t2' },
        { action: 'remove-snapshots', 'snapshot-ids': [1] },
        { action: 'remove-partition-specs', 'spec-ids': [0] },
      ] as never)
      .build('file:///m/1');
    expect(JSON.stringify(tableMetadataDocument(frozen), (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v))).toBe(before);
    expect(next.snapshots.map((s) => s['snapshot-id'])).toEqual([2]);
    expect(next.properties).toEqual({ b: '2' });
    expect(next['metadata-log'].map((e) => e['metadata-file'])).toEqual(['file:///m/0', 'file:///m/1']);
  });
});

describe('requirements', () => {
  it("fail as CommitFailedException with Java's wording", () => {
    const m = newTable();
    expect(() => checkTableRequirements(m, [{ type: 'assert-ref-snapshot-id', ref: 'main', 'snapshot-id': 5 }])).toThrow(
      'Requirement failed: branch or tag main is missing, expected 5',
    );
    expect(() => checkTableRequirements(null, [{ type: 'assert-create' }])).not.toThrow();
    expect(() => checkTableRequirements(m, [{ type: 'assert-create' }])).toThrow(CommitFailedError);
  });
});

describe('parsing metadata written elsewhere', () => {
  it('reads a v1 document with only the legacy schema and partition-spec fields', () => {
    const m = parseTableMetadata({
      'format-version': 1,
      'table-uuid': 'u',
      location: 's3://b/t/',
      'last-updated-ms': 1,
      'last-column-id': 1,
      schema: { type: 'struct', fields: [{ id: 1, name: 'a', required: false, type: 'int' }] },
      'partition-spec': [{ name: 'a', transform: 'identity', 'source-id': 1 }],
      'current-snapshot-id': 7,
      snapshots: [snapshot(7, null, 0, 1)],
    });
    expect(m.location).toBe('s3://b/t');
    expect(m.schemas[0]!['schema-id']).toBe(0);
    expect(m['partition-specs'][0]!.fields[0]!['field-id']).toBe(1000);
    expect(m.refs).toEqual({ main: { type: 'branch', 'snapshot-id': 7 } });
  });
});

describe('views', () => {
  const version = (id: number, sql: string, dialect = 'spark') => ({
    'version-id': id,
    'timestamp-ms': id,
    'schema-id': -1,
    summary: {},
    representations: [{ type: 'sql', sql, dialect }],
    'default-namespace': ['ns'],
  });

  it('reuses an identical version and keeps version.history.num-entries versions', () => {
    const b = new ViewMetadataBuilder(null).applyAll([
      { action: 'assign-uuid', uuid: 'v' },
      { action: 'set-location', location: 'file:///wh/v' },
      { action: 'set-properties', updates: { 'version.history.num-entries': '2' } },
      { action: 'add-schema', schema },
      { action: 'add-view-version', 'view-version': version(1, 'select 1') },
      { action: 'set-current-view-version', 'view-version-id': -1 },
    ]);
    let m = b.build();
    expect(m.schemas[0]!['schema-id']).toBe(0);
    for (const [i, sql] of [
      [2, 'select 2'],
      [3, 'select 3'],
      [4, 'select 2'],
    ] as const) {
      m = new ViewMetadataBuilder(m)
        .applyAll([
          { action: 'add-view-version', 'view-version': { ...version(i, sql), 'schema-id': 0 } },
          { action: 'set-current-view-version', 'view-version-id': -1 },
        ])
        .build();
    }
    // Version 1 expired; "select 2" again is version 2 again, not a new one.
    expect(m.versions.map((v) => v['version-id'])).toEqual([2, 3]);
    expect(m['current-version-id']).toBe(2);
  });

  it('refuses to drop a dialect unless replace.drop-dialect.allowed', () => {
    const base = new ViewMetadataBuilder(null)
      .applyAll([
        { action: 'assign-uuid', uuid: 'v' },
        { action: 'set-location', location: 'file:///wh/v' },
        { action: 'add-schema', schema },
        {
          action: 'add-view-version',
          'view-version': {
            ...version(1, 'a'),
            representations: [
              { type: 'sql', sql: 'a', dialect: 'spark' },
              { type: 'sql', sql: 'a', dialect: 'trino' },
            ],
          },
        },
        { action: 'set-current-view-version', 'view-version-id': -1 },
      ])
      .build();
    expect(() =>
      new ViewMetadataBuilder(base).applyAll([
        { action: 'add-view-version', 'view-version': { ...version(2, 'b'), 'schema-id': 0 } },
        { action: 'set-current-view-version', 'view-version-id': -1 },
      ]),
    ).toThrow(/loss of view dialects/);
  });
});
