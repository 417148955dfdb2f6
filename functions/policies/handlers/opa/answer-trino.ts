import { json, type Handler } from '../../../../shared/http/index.js';
import type { DataApiRequest, TrinoInput } from '../../opa/trino-input.js';
import { TrinoDecider } from '../../opa/trino-decisions.js';

/**
 * OPA's data API (POST /v1/data/<path> with {"input": …}, answered {"result": …}) for the documents Trino's OPA
 * access control asks for, so Trino can use Lakeplane as its policy server:
 *   opa.policy.uri                       = …/v1/data/trino/allow
 *   opa.policy.batched-uri               = …/v1/data/trino/batch
 *   opa.policy.row-filters-uri           = …/v1/data/trino/rowFilters
 *   opa.policy.column-masking-uri        = …/v1/data/trino/columnMask
 *   opa.policy.batch-column-masking-uri  = …/v1/data/trino/batchColumnMasks
 * Any other path is a document we do not define: like OPA, 200 with no result (Trino then fails closed).
 */
export const TRINO_DOCUMENTS: Record<string, (d: TrinoDecider, input: TrinoInput) => Promise<unknown>> = {
  allow: (d, i) => d.allow(i),
  batch: (d, i) => d.batch(i),
  rowFilters: (d, i) => d.rowFilters(i),
  columnMask: (d, i) => d.columnMask(i.action.resource),
  batchColumnMasks: (d, i) => d.batchColumnMasks(i),
};

/** The handler of one of Trino's documents: data.trino.<name>, decided by the data access policies. */
export function answerTrino(document: (d: TrinoDecider, input: TrinoInput) => Promise<unknown>): Handler<{ body: typeof DataApiRequest }> {
  return async (ctx) => {
    const decider = await TrinoDecider.for(ctx.platform, ctx.body.input);
    return json(200, { result: await document(decider, ctx.body.input) });
  };
}

/** A document Lakeplane does not define: 200 with no result, as OPA answers an undefined one. */
export const undefinedDocument: Handler = async () => json(200, {});
