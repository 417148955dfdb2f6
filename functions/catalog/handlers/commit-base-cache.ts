import type { TableMetadata } from '../domain/table-metadata.js';
import type { CommitTarget } from '../store/table-pointers.js';
import type { KnownMetadata } from '../store/table-read-batch.js';
import { SizeBoundedLru } from './size-bounded-lru.js';

/**
 * The parsed metadata a commit last started from or produced, per table. Parsing a table's stored metadata is most
 * of a commit's CPU once it has a few hundred snapshots (lossless JSON: a 220 KB document takes milliseconds), and
 * every commit attempt needs it to check its requirements. A metadata file never changes once written and every
 * commit bumps the row's version, so an entry is right exactly while the row keeps its id, version and metadata
 * location: the commit's read sends those and gets the text back only when they differ. Entries are shared and must
 * never be changed: TableMetadataBuilder works on a copy.
 */
export interface CommitBase extends KnownMetadata {
  readonly metadata: TableMetadata;
  /** Characters of the metadata text it was parsed from: what the bound counts. */
  readonly size: number;
  /**
   * performance.now() at some moment before this pointer was the table's current one: the read that found it was
   * sent after it, or the commit that made it was. It was current between then and when it was remembered, so a
   * request that arrived by then and has not been answered yet may be answered as of this pointer.
   */
  readonly currentAfter: number;
  /** The table's warehouse and namespace as the read or commit that made this entry found them. */
  readonly target: Omit<CommitTarget, 'object'>;
}

/** ~16 million characters of metadata text, parsed (a few times that in memory); a tenth of it for one table. */
const MAX_CHARS = 16_000_000;

export class CommitBaseCache {
  private readonly entries: SizeBoundedLru<CommitBase>;

  constructor(maxChars = MAX_CHARS) {
    this.entries = new SizeBoundedLru(maxChars);
  }

  get(key: string): CommitBase | undefined {
    return this.entries.get(key);
  }

  remember(key: string, base: CommitBase): void {
    this.entries.set(key, base, base.size);
  }

  forget(key: string): void {
    this.entries.delete(key);
  }
}
