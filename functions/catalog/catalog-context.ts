import { functionContext } from '../../shared/http/index.js';
import { registerCatalogMetrics, type CatalogMetrics } from './catalog-metrics.js';
import { CommitBaseCache } from './handlers/commit-base-cache.js';
import { CommitLanes } from './handlers/commit-lanes.js';
import { MetadataCache } from './handlers/metadata-cache.js';
import { SignableTables } from './handlers/signable-tables.js';
import { TableReadBatcher } from './store/table-read-batch.js';

/**
 * What one process keeps for the catalog it serves, for as long as it serves it: each platform (two in one test
 * run, one per backend) has its own, so none sees another's tables. Nothing here decides access: every request is
 * authorized before it reads any of it.
 */
export interface CatalogState {
  /** The metadata text loadTable last served per table, with its ETags and snapshots=refs copy. */
  readonly metadataCache: MetadataCache;
  /** The parsed metadata a commit last started from or produced, per table. */
  readonly commitBases: CommitBaseCache;
  /** The turns commits to one table take in this process. */
  readonly commitLanes: CommitLanes;
  /** loadTable's lookups, batched per event-loop turn on the process's database. */
  readonly tableReads: TableReadBatcher;
  /** What remote signing reads of a table, kept briefly. */
  readonly signableTables: SignableTables;
  readonly metrics: CatalogMetrics;
}

/** The catalog's context (declared in index.ts): reached with `platform.contextOf(catalogContext)`. */
export const catalogContext = functionContext<CatalogState>(
  'catalog',
  (platform) => ({
    metadataCache: new MetadataCache(),
    commitBases: new CommitBaseCache(),
    commitLanes: new CommitLanes(),
    tableReads: new TableReadBatcher(platform.store.db),
    signableTables: new SignableTables(),
    metrics: registerCatalogMetrics(platform.metrics),
  }),
  // The lookups still waiting go out, and are answered, before the database closes.
  (state) => state.tableReads.close(),
);
