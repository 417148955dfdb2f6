import { noContent, type Handler } from '../../../../shared/http/index.js';
import { stringifyJsonLossless } from '../../../../shared/json/index.js';
import type { ReportMetricsRequest, TableParams } from '../../schemas/iceberg-requests.js';
import { requireObject } from '../../store/catalog-objects.js';
import { insertMetricsReport } from '../../store/metrics-reports.js';
import { objectNamed } from '../objects/common.js';

/** reportMetrics: a scan or commit report, kept with the table as sent. Clients send one after every scan: one statement, no transaction around it. */
export const reportMetrics: Handler<{ params: typeof TableParams; body: typeof ReportMetricsRequest }> = async (ctx) => {
  const { prefix, levels, name } = objectNamed('table', ctx.params);
  const { object } = await requireObject(ctx.db, 'table', prefix, levels, name);
  return ctx.transact.oneStatement(async (db) => {
    await insertMetricsReport(db, {
      objectId: object.id,
      reportType: ctx.body['report-type'],
      snapshotId: String(ctx.body['snapshot-id']),
      report: stringifyJsonLossless(ctx.body),
    });
    return noContent();
  });
};
