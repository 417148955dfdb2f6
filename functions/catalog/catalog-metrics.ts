import { Counter } from 'prom-client';
import type { PlatformMetrics } from '../../shared/metrics/index.js';

/** What the catalog counts beside the platform's request metrics, on the same registry (GET /metrics). */
export interface CatalogMetrics {
  /**
   * Commit attempts whose pointer swap found the table changed by another commit meanwhile (another replica's, or
   * a rename or register): each was rebuilt on the table as it then was, or refused with 409.
   */
  readonly commitLostRaces: Counter;
}

/** Registers the catalog's metrics on the process's registry: once per process, by the catalog's context. */
export function registerCatalogMetrics(metrics: PlatformMetrics): CatalogMetrics {
  return {
    commitLostRaces: new Counter({
      name: 'lakeplane_catalog_commit_lost_races_total',
      help: 'Table commit attempts that lost the compare-and-set of the table pointer to another change (then rebuilt on the new metadata, or refused).',
      registers: [metrics.registry],
    }),
  };
}
