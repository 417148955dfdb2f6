import { InvalidMetadataUpdateError } from '../../../shared/errors/index.js';
import { stringifyJsonLossless, type Long } from '../../../shared/json/index.js';
import type { ViewUpdateValue } from '../schemas/iceberg-requests.js';
import type { IcebergSchemaValue, ViewVersionValue } from '../schemas/iceberg-types.js';
import { sameSchema, withoutNulls } from './schema-ids.js';

/** View metadata as the Iceberg view spec (format version 1) writes it. */
export interface ViewMetadata {
  'view-uuid': string;
  'format-version': 1;
  location: string;
  'current-version-id': number;
  versions: ViewVersionValue[];
  'version-log': Array<{ 'version-id': number; 'timestamp-ms': Long }>;
  schemas: IcebergSchemaValue[];
  properties: Record<string, string>;
}

const LAST_ADDED = -1;
const HISTORY_ENTRIES = 'version.history.num-entries';
const DEFAULT_HISTORY_ENTRIES = 10;
const DROP_DIALECT_ALLOWED = 'replace.drop-dialect.allowed';

function bad(message: string): never {
  throw new InvalidMetadataUpdateError(message);
}

function sameVersion(a: ViewVersionValue, b: ViewVersionValue): boolean {
  const key = (v: ViewVersionValue) =>
    stringifyJsonLossless([v.summary, v.representations, v['default-catalog'] ?? null, v['default-namespace'], v['schema-id']]);
  return key(a) === key(b);
}

function dialects(v: ViewVersionValue | undefined): Set<string> {
  return new Set((v?.representations ?? []).map((r) => r.dialect.toLowerCase()));
}

/** Applies ViewUpdates as Java's ViewMetadata.Builder does: schema and version ids reused, -1 for "last added". */
export class ViewMetadataBuilder {
  private readonly m: ViewMetadata;
  private lastAddedSchemaId: number | undefined;
  private lastAddedVersionId: number | undefined;
  private readonly addedVersionIds = new Set<number>();
  private changes = 0;

  constructor(private readonly base: ViewMetadata | null) {
    this.m = base
      ? structuredClone(base)
      : { 'view-uuid': '', 'format-version': 1, location: '', 'current-version-id': -1, versions: [], 'version-log': [], schemas: [], properties: {} };
  }

  applyAll(updates: readonly ViewUpdateValue[]): this {
    for (const u of updates) this.apply(u);
    return this;
  }

  apply(u: ViewUpdateValue): this {
    switch (u.action) {
      case 'assign-uuid':
        if (this.m['view-uuid'] === u.uuid) return this;
        if (this.base) bad(`Cannot reassign uuid: view ${this.base['view-uuid']} cannot become ${u.uuid}`);
        this.m['view-uuid'] = u.uuid;
        break;
      case 'upgrade-format-version':
        if (u['format-version'] !== 1) bad(`Cannot upgrade view to unsupported format version: v${u['format-version']} (supported: v1)`);
        return this;
      case 'add-schema':
        this.addSchema(u.schema);
        break;
      case 'set-location':
        this.m.location = u.location.replace(/\/+$/, '');
        break;
      case 'set-properties':
        Object.assign(this.m.properties, u.updates);
        break;
      case 'remove-properties':
        for (const key of u.removals) delete this.m.properties[key];
        break;
      case 'add-view-version':
        this.addVersion(u['view-version']);
        break;
      case 'set-current-view-version':
        this.setCurrentVersion(u['view-version-id']);
        break;
    }
    this.changes++;
    return this;
  }

  addSchema(sent: IcebergSchemaValue): number {
    const schema = withoutNulls(sent);
    const existing = this.m.schemas.find((s) => sameSchema(s, schema));
    if (existing) return (this.lastAddedSchemaId = existing['schema-id'] ?? 0);
    // As Java's view builder: the id a client sent is ignored; a new schema takes the next free one from 0.
    const id = this.m.schemas.length === 0 ? 0 : Math.max(...this.m.schemas.map((s) => s['schema-id'] ?? 0)) + 1;
    this.m.schemas.push({ ...schema, 'schema-id': id });
    return (this.lastAddedSchemaId = id);
  }

  addVersion(requested: ViewVersionValue): number {
    let version = withoutNulls(requested);
    if (version['schema-id'] === LAST_ADDED) {
      version = { ...version, 'schema-id': this.lastAddedSchemaId ?? bad('Cannot set last added schema: no schema has been added') };
    }
    if (!this.m.schemas.some((s) => s['schema-id'] === version['schema-id'])) bad(`Cannot add version with unknown schema: ${version['schema-id']}`);
    const seen = new Set<string>();
    for (const r of version.representations) {
      const d = r.dialect.toLowerCase();
      if (seen.has(d)) bad(`Invalid view version: Cannot add multiple queries for dialect ${d}`);
      seen.add(d);
    }
    let id = version['version-id'];
    for (const v of this.m.versions) {
      if (sameVersion(v, version)) return (this.lastAddedVersionId = v['version-id']);
      if (v['version-id'] >= id) id = v['version-id'] + 1;
    }
    this.m.versions.push({ ...version, 'version-id': id });
    this.addedVersionIds.add(id);
    return (this.lastAddedVersionId = id);
  }

  setCurrentVersion(requested: number): void {
    const id = requested === LAST_ADDED ? (this.lastAddedVersionId ?? bad('Cannot set last added version: no version has been added')) : requested;
    const version = this.m.versions.find((v) => v['version-id'] === id);
    if (!version) bad(`Cannot set current version to unknown version: ${id}`);
    if (this.m['current-version-id'] === id) return;
    const previous = this.m.versions.find((v) => v['version-id'] === this.m['current-version-id']);
    if (previous && this.m.properties[DROP_DIALECT_ALLOWED] !== 'true') {
      const now = dialects(version);
      for (const d of dialects(previous)) {
        if (!now.has(d)) bad(`Cannot replace view due to loss of view dialects (${DROP_DIALECT_ALLOWED}=false): ${d} is dropped`);
      }
    }
    this.m['current-version-id'] = id;
    this.m['version-log'].push({ 'version-id': id, 'timestamp-ms': version['timestamp-ms'] });
  }

  /** Keeps the newest version.history.num-entries versions (never the current one's) and their log. */
  build(): ViewMetadata {
    const m = this.m;
    if (!m['view-uuid']) bad('Cannot create a view without a uuid');
    if (!m.location) bad('Cannot create a view without a location');
    if (!m.versions.some((v) => v['version-id'] === m['current-version-id'])) bad('Cannot create a view without a current version');
    if (this.changes === 0 && this.base) return this.base;
    const max = Math.max(1, Number(m.properties[HISTORY_ENTRIES] ?? DEFAULT_HISTORY_ENTRIES) || DEFAULT_HISTORY_ENTRIES);
    if (m.versions.length > max) {
      const keep = new Set(m.versions.slice(-max).map((v) => v['version-id']));
      keep.add(m['current-version-id']);
      m.versions = m.versions.filter((v) => keep.has(v['version-id']));
      m['version-log'] = m['version-log'].filter((e) => keep.has(e['version-id']));
    }
    return m;
  }
}

export function parseViewMetadata(doc: unknown): ViewMetadata {
  const d = doc as Partial<ViewMetadata> | null;
  if (!d || typeof d !== 'object') bad('Invalid view metadata: not a JSON object');
  if (d['format-version'] !== 1) bad(`Invalid view metadata: unsupported format-version ${String(d['format-version'])}`);
  if (typeof d['view-uuid'] !== 'string' || typeof d.location !== 'string' || typeof d['current-version-id'] !== 'number')
    bad('Invalid view metadata: view-uuid, location and current-version-id are required');
  if (!Array.isArray(d.versions) || !Array.isArray(d.schemas) || !Array.isArray(d['version-log']))
    bad('Invalid view metadata: versions, version-log and schemas are required');
  return { ...(d as ViewMetadata), properties: d.properties ?? {} };
}

export function viewMetadataDocument(m: ViewMetadata): Record<string, unknown> {
  return {
    'view-uuid': m['view-uuid'],
    'format-version': m['format-version'],
    location: m.location,
    schemas: m.schemas,
    'current-version-id': m['current-version-id'],
    versions: m.versions,
    'version-log': m['version-log'],
    properties: m.properties,
  };
}
