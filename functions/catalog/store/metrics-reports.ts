import { randomUUID } from 'node:crypto';
import type { Executor } from '../../../shared/db/index.js';

/** A scan or commit metrics report a client sent, kept with its table as sent (64-bit numbers intact). */
export interface MetricsReport {
  objectId: string;
  reportType: string;
  snapshotId: string;
  /** The report as JSON text. */
  report: string;
}

/** Keeps a metrics report: one statement. */
export async function insertMetricsReport(db: Executor, r: MetricsReport): Promise<void> {
  await db
    .insertInto('catalog_metrics_reports')
    .values({ id: randomUUID(), object_id: r.objectId, report_type: r.reportType, snapshot_id: r.snapshotId, report: r.report })
    .execute();
}
