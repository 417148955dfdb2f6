import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../support/databases.js';
import { missingPrerequisite } from '../support/prerequisites.js';
import { INSTALL_HINT, findInteropPython, runClientScript, startInteropCatalog, type InteropCatalog } from './interop.js';

/**
 * PyIceberg, unchanged, against our catalog over real HTTP: it authenticates as a service account (client_credentials
 * at the platform's token endpoint), then creates, appends, reads, evolves and reads again with PyArrow writing the
 * data files into the warehouse directory. The Python side is pyiceberg_roundtrip.py; it answers in JSON.
 * About 3 s per backend, so it runs on every backend.
 */
const python = findInteropPython(['pyiceberg', 'pyarrow']);
if (!python.ok) missingPrerequisite('the PyIceberg interop suite', `${python.why}; ${INSTALL_HINT}`);
const SCRIPT = path.join(import.meta.dirname, 'pyiceberg_roundtrip.py');

type Row = { id: number; name: string; age?: number | null };
type Outcome<T> = { ok: T } | { error: string };
interface RoundTrip {
  pyiceberg: string;
  namespaceProperties: Record<string, string>;
  namespaces: string[][];
  duplicateNamespace: string;
  location: string;
  formatVersion: number;
  tables: string[];
  afterFirstAppend: { rows: Row[]; snapshotId: string };
  schemaAfterEvolution: Array<{ id: number; name: string; type: string }>;
  afterSecondAppend: { rows: Row[]; count: number; schemaId: number; snapshots: number; historyOps: string[] };
  atFirstSnapshot: Row[];
  olderThan40: string[];
  afterDelete: number[];
  properties: Record<string, string>;
  partitioned: { files: number; spec: string[] };
  afterOverwrite: number[];
  upsert: { updated: number; inserted: number };
  afterUpsert: Array<[number, string]>;
  refs: string[];
  view: { listed: string[]; sql: string; tablesStillOnlyTables: string[] };
  viewExistsAfterDrop: boolean;
  rename: Outcome<string[]>;
  dropTable: Outcome<string[]>;
  dropNamespace: Outcome<string[][]>;
  deprecatedTokenEndpoint: Outcome<string[][]>;
}

describe.skipIf(!python.ok).each(backends())('PyIceberg against the catalog on %s', (backend) => {
  let catalog: InteropCatalog;
  let run: RoundTrip;

  beforeAll(async () => {
    catalog = await startInteropCatalog(backend);
    const { result } = await runClientScript<RoundTrip>(
      python.ok ? python.value : '',
      SCRIPT,
      { ...catalog.connection, namespace: 'interop_py' },
      { timeoutMs: 180_000 },
    );
    run = result;
  }, 240_000);
  afterAll(async () => {
    await catalog?.close();
  });

  it('creates a namespace and a v2 table in the warehouse', () => {
    expect(run.namespaceProperties).toEqual({ owner: 'interop', location: `${catalog.storageLocation}/interop_py` });
    expect(run.namespaces).toEqual([['interop_py']]);
    expect(run.duplicateNamespace).toBe('NamespaceAlreadyExistsError');
    expect(run.location.startsWith(`file://${catalog.root}/interop_py/people`)).toBe(true);
    expect(run.formatVersion).toBe(2);
    expect(run.tables).toEqual(['interop_py.people']);
  });

  it('appends a PyArrow table and reads it back', () => {
    expect(run.afterFirstAppend.rows).toEqual([
      { id: 1, name: 'ada' },
      { id: 2, name: 'grace' },
      { id: 3, name: 'linus' },
    ]);
    expect(run.afterFirstAppend.snapshotId).toMatch(/^\d+$/);
  });

  it('adds a column, appends again, and reads old rows with nulls in it', () => {
    expect(run.schemaAfterEvolution).toEqual([
      { id: 1, name: 'id', type: 'long' },
      { id: 2, name: 'name', type: 'string' },
      { id: 3, name: 'age', type: 'int' },
    ]);
    const s = run.afterSecondAppend;
    expect(s.count).toBe(5);
    expect(s.schemaId).toBe(1);
    expect(s.snapshots).toBe(2);
    expect(s.historyOps).toEqual(['append', 'append']);
    expect(s.rows).toEqual([
      { id: 1, name: 'ada', age: null },
      { id: 2, name: 'grace', age: null },
      { id: 3, name: 'linus', age: null },
      { id: 4, name: 'barbara', age: 36 },
      { id: 5, name: 'edsger', age: 72 },
    ]);
  });

  it('reads an older snapshot, filters, deletes rows, and sets properties', () => {
    expect(run.atFirstSnapshot.map((r) => r.id)).toEqual([1, 2, 3]);
    expect(run.olderThan40).toEqual(['barbara']);
    expect(run.afterDelete).toEqual([1, 3, 4, 5]);
    expect(run.properties).toMatchObject({ 'created-by': 'pyiceberg', comment: 'from pyiceberg' });
  });

  it('writes a partitioned table (day and identity transforms), overwrites by filter, upserts, and tags', () => {
    expect(run.partitioned).toEqual({ files: 6, spec: ['ts_day', 'kind'] });
    expect(run.afterOverwrite).toEqual([1, 3, 5, 7, 9, 100]);
    expect(run.upsert).toEqual({ updated: 1, inserted: 1 });
    expect(run.afterUpsert).toEqual([
      [1, 'z'],
      [3, 'b'],
      [5, 'b'],
      [7, 'b'],
      [9, 'b'],
      [100, 'a'],
      [200, 'b'],
    ]);
    expect(run.refs).toEqual(['main', 'v1']);
  });

  it('creates, lists, loads and drops a view, which never shows up as a table', () => {
    expect(run.view).toEqual({
      listed: ['interop_py.b_events'],
      sql: "SELECT id FROM interop_py.events WHERE kind = 'b'",
      tablesStillOnlyTables: ['interop_py.events', 'interop_py.people'],
    });
    expect(run.viewExistsAfterDrop).toBe(false);
  });

  it('renames a table, and authenticates at the deprecated /v1/oauth/tokens too', () => {
    expect(run.rename).toEqual({ ok: ['interop_py.events', 'interop_py.people_renamed'] });
    expect(run.deprecatedTokenEndpoint).toEqual({ ok: [['interop_py']] });
  });

  // PyIceberg writes purgeRequested=False/True (Python's str(bool)); the catalog takes any case.
  it('drops and purges the tables, then the empty namespace', () => {
    expect(run.dropTable).toEqual({ ok: [] });
    expect(run.dropNamespace).toEqual({ ok: [] });
  });
});
