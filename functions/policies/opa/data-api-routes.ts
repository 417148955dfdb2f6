import { Type } from '@sinclair/typebox';
import { json, route, type RequestContext } from '../../../shared/http/index.js';
import { DataApiRequest, type TrinoInput } from './trino-input.js';
import { TrinoDecider } from './trino-decisions.js';

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
const DOCUMENTS: Record<string, (d: TrinoDecider, input: TrinoInput) => Promise<unknown>> = {
  allow: (d, i) => d.allow(i),
  batch: (d, i) => d.batch(i),
  rowFilters: (d, i) => d.rowFilters(i),
  columnMask: (d, i) => d.columnMask(i.action.resource),
  batchColumnMasks: (d, i) => d.batchColumnMasks(i),
};

async function mayAsk(ctx: RequestContext<unknown, unknown, unknown>): Promise<void> {
  if (ctx.platform.config.LAKEPLANE_OPA_DATA_API_ANONYMOUS) return;
  await ctx.platform.authorizer.authorize(ctx.requirePrincipal(), 'policies:decisions:impersonate', 'policies/opa');
}

export const dataApiRoutes = [
  ...Object.entries(DOCUMENTS).map(([name, answer]) =>
    route({
      method: 'POST', path: `/v1/data/trino/${name}`, operationId: `opa.trino.${name}`, tags: ['opa'], auth: 'public', audit: false, body: DataApiRequest,
      summary: `OPA data API for Trino: data.trino.${name}, decided by the data access policies.`,
      responses: { 200: { description: '{"result": …}', schema: Type.Object({ result: Type.Unknown() }) } },
      handler: async (ctx) => {
        await mayAsk(ctx);
        const decider = await TrinoDecider.for(ctx.platform, ctx.body.input);
        return json(200, { result: await answer(decider, ctx.body.input) });
      },
    }),
  ),
  route({
    method: 'POST', path: '/v1/data/*', operationId: 'opa.undefinedDocument', tags: ['opa'], auth: 'public', audit: false, body: Type.Object({}, { additionalProperties: true }),
    summary: 'OPA data API: a document Lakeplane does not define; 200 with no result, as OPA answers an undefined one.',
    responses: { 200: { description: '{}', schema: Type.Object({}) } },
    handler: async (ctx) => {
      await mayAsk(ctx);
      return json(200, {});
    },
  }),
];
