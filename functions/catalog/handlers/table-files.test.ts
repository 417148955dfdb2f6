import { describe, expect, it } from 'vitest';
import { stringifyJsonLossless } from '../../../shared/json/index.js';
import { createTableUpdates } from '../domain/new-table.js';
import { TableMetadataBuilder } from '../domain/table-metadata-builder.js';
import { tableMetadataDocument, type TableMetadata } from '../domain/table-metadata.js';
import { metadataText, readStoredMetadata } from './table-files.js';

const schema = {
  type: 'struct' as const,
  fields: [
    { id: 1, name: 'id', required: true, type: 'long' },
    { id: 2, name: 'name', required: false, type: 'string', doc: 'a "quoted" doc' },
  ],
};

function table(properties: Record<string, string> = {}): TableMetadata {
  return new TableMetadataBuilder(null, 1_000).applyAll(createTableUpdates({ name: 't', schema, properties }, 'uuid-1', 'file:///wh/t')).build(null);
}

function commit(m: TableMetadata, i: number): TableMetadata {
  // Snapshot ids past 2^53 (bigint) and below it, as real writers mix them.
  const id = i % 2 === 0 ? 9_223_372_036_854_775_000n + BigInt(i) : 1_000 + i;
  const parent = m['current-snapshot-id'] === -1 ? undefined : m['current-snapshot-id'];
  const snapshot = {
    'snapshot-id': id,
    ...(parent !== undefined ? { 'parent-snapshot-id': parent } : {}),
    'sequence-number': i + 1,
    'timestamp-ms': 2_000 + i,
    'manifest-list': `file:///wh/t/metadata/snap-${id}.avro`,
    summary: { operation: 'append' as const, 'added-records': String(i), 'first-row-id': '0' },
    ...(m['format-version'] >= 3 ? { 'first-row-id': i * 10, 'added-rows': 10 } : {}),
  };
  return new TableMetadataBuilder(m, 3_000 + i)
    .applyAll([
      { action: 'add-snapshot', snapshot },
      { action: 'set-snapshot-ref', 'ref-name': 'main', type: 'branch', 'snapshot-id': id },
      { action: 'set-properties', updates: { [`k${i}`]: `v "${i}"` } },
    ])
    .build(`file:///wh/t/metadata/${String(i).padStart(5, '0')}-x.metadata.json`);
}

describe('metadataText', () => {
  it('is the lossless JSON of the metadata document, commit after commit, on v1, v2 and v3 tables', () => {
    for (const version of ['1', '2', '3']) {
      let m = table({ 'format-version': version });
      for (let i = 0; i < 12; i++) {
        m = commit(m, i);
        const text = metadataText(m);
        expect(text).toBe(stringifyJsonLossless(tableMetadataDocument(m)));
        // And again from a parsed copy (fresh objects), and on the kept texts of the same objects.
        expect(metadataText(readStoredMetadata(text))).toBe(text);
        expect(metadataText(m)).toBe(text);
      }
    }
  });
});
