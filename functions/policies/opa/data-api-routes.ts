import { Type } from '@sinclair/typebox';
import type { Config } from '../../../shared/config/index.js';
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

/**
 * The answers tell what any user may see, so asking needs a credential. Trino's OPA client sends no header it can be
 * told to send, but it keeps the query of the URIs it is given: `…/v1/data/trino/allow?access_token=<credential>`
 * (RFC 6750 2.3), a service account's client secret or a personal access token. Bearer and Basic headers work too.
 * LAKEPLANE_OPA_DATA_API_ANONYMOUS=true answers callers with no credential, for an internal network only.
 */
const access = {
  auth: 'required' as const,
  credentials: ['basic', 'query'] as const,
  anonymousIf: (c: Config) => c.LAKEPLANE_OPA_DATA_API_ANONYMOUS,
  scope: 'policies:read',
};

async function mayAsk(ctx: RequestContext<unknown, unknown, unknown>): Promise<void> {
  // No principal only where the configured opt-in let an anonymous caller through.
  if (!ctx.principal) return;
  await ctx.platform.authorizer.authorize(ctx.principal, 'policies:decisions:impersonate', 'policies/opa');
}

export const dataApiRoutes = [
  ...Object.entries(DOCUMENTS).map(([name, answer]) =>
    route({
      method: 'POST', path: `/v1/data/trino/${name}`, operationId: `opa.trino.${name}`, tags: ['opa'], ...access, audit: false, body: DataApiRequest,
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
    method: 'POST', path: '/v1/data/*', operationId: 'opa.undefinedDocument', tags: ['opa'], ...access, audit: false, body: Type.Object({}, { additionalProperties: true }),
    summary: 'OPA data API: a document Lakeplane does not define; 200 with no result, as OPA answers an undefined one.',
    responses: { 200: { description: '{}', schema: Type.Object({}) } },
    handler: async (ctx) => {
      await mayAsk(ctx);
      return json(200, {});
    },
  }),
];
