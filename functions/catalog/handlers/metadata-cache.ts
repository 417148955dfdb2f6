import { withReferencedSnapshotsOnly } from '../domain/table-metadata.js';
import type { KnownMetadata } from '../store/table-read-batch.js';
import { SizeBoundedLru } from './size-bounded-lru.js';
import { etagOf, metadataText, readStoredMetadata } from './table-files.js';

/**
 * The metadata text loadTable last served for a table, with what is derived from it (the snapshots=refs copy, the
 * ETags). A metadata file never changes once written and every metadata change writes a new one under a new name
 * and bumps the row's version, so an entry stays right for as long as the table's row keeps its id, version and
 * metadata location. loadTable reads those from PostgreSQL on every request (a commit by another replica is seen
 * at once) and gets the text back only when they differ (TableReadBatcher.find). Nothing here decides access: the
 * policy check runs on every request before the lookup. One per process, in the catalog's context.
 */
export interface CachedMetadata extends KnownMetadata {
  readonly key: string;
  /** The stored metadata text, as written to the metadata file. */
  readonly text: string;
  /** The snapshots=refs copy, made on first use. */
  refsText?: string;
  etagAll?: string;
  etagRefs?: string;
}

/**
 * A bound on the characters kept (texts and refs copies): at most ~64 MB, half that for ASCII text. The loadTable
 * bench's 1,000 tables hold ~3.5 million. A table whose metadata alone is above a tenth of it is served, not kept.
 */
const MAX_CHARS = 32_000_000;

/** A table's identity in its warehouse: the key its last served metadata is kept under. */
export function tableKey(prefix: string, levels: readonly string[], name: string): string {
  return `${prefix}\u0000${levels.join('\u001f')}\u0000${name}`;
}

export class MetadataCache {
  private readonly entries: SizeBoundedLru<CachedMetadata>;

  constructor(maxChars = MAX_CHARS) {
    this.entries = new SizeBoundedLru(maxChars);
  }

  get(key: string): CachedMetadata | undefined {
    return this.entries.get(key);
  }

  remember(key: string, known: KnownMetadata, text: string): CachedMetadata {
    const entry: CachedMetadata = { key, id: known.id, version: known.version, location: known.location, text };
    this.entries.set(key, entry, text.length);
    return entry;
  }

  /** The metadata document a load answers with: as stored for snapshots=all, only the referenced snapshots for refs. */
  metadataFor(entry: CachedMetadata, snapshots: 'all' | 'refs' | undefined): string {
    if (snapshots !== 'refs') return entry.text;
    if (entry.refsText === undefined) {
      entry.refsText = metadataText(withReferencedSnapshotsOnly(readStoredMetadata(entry.text)));
      // Counted only while the entry is kept (one too large to keep, or evicted meanwhile, is not).
      this.entries.grow(entry.key, entry, entry.refsText.length);
    }
    return entry.refsText;
  }

  etagFor(entry: CachedMetadata, snapshots: 'all' | 'refs' | undefined): string {
    if (snapshots === 'refs') return (entry.etagRefs ??= etagOf(entry.location, snapshots));
    return (entry.etagAll ??= etagOf(entry.location, snapshots));
  }
}
