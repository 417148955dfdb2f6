import { Type } from '@sinclair/typebox';
import type { Config } from '../../../shared/config/index.js';
import { operation, type OperationInput } from '../../../shared/http/index.js';
import { platformObject } from '../../../shared/policy/index.js';
import { answerTrino, TRINO_DOCUMENTS, undefinedDocument } from '../handlers/opa/answer-trino.js';
import { DataApiRequest } from '../opa/trino-input.js';

/**
 * The answers tell what any user may see, so asking needs a credential. Trino's OPA client sends no header it can be
 * told to send, but it keeps the query of the URIs it is given: `…/v1/data/trino/allow?access_token=<credential>`
 * (RFC 6750 2.3), a service account's client secret or a personal access token. Bearer and Basic headers work too.
 * LAKEPLANE_OPA_DATA_API_ANONYMOUS=true answers callers with no credential, for an internal network only.
 */
const access = {
  credentials: ['basic', 'query'] as const,
  anonymousIf: (c: Config) => c.LAKEPLANE_OPA_DATA_API_ANONYMOUS,
  scope: 'policies:read',
};

/** Asking decides for anyone Trino names; no principal only where the configured opt-in let an anonymous caller through. */
const mayAsk = ({ principal }: OperationInput<unknown, unknown, unknown>) =>
  principal ? [{ action: 'policies:decisions:impersonate' as const, resource: platformObject('policies', 'opa') }] : [];

export const dataApiRoutes = [
  ...Object.entries(TRINO_DOCUMENTS).map(([name, document]) =>
    operation({
      method: 'POST',
      path: `/v1/data/trino/${name}`,
      operationId: `opa.trino.${name}`,
      tags: ['opa'],
      ...access,
      audit: false,
      body: DataApiRequest,
      summary: `OPA data API for Trino: data.trino.${name}, decided by the data access policies.`,
      responses: { 200: { description: '{"result": …}', schema: Type.Object({ result: Type.Unknown() }) } },
      authorization: { checks: mayAsk },
      mutates: false,
      handler: answerTrino(document),
    }),
  ),
  operation({
    method: 'POST',
    path: '/v1/data/*',
    operationId: 'opa.undefinedDocument',
    tags: ['opa'],
    ...access,
    audit: false,
    body: Type.Object({}, { additionalProperties: true }),
    summary: 'OPA data API: a document Lakeplane does not define; 200 with no result, as OPA answers an undefined one.',
    responses: { 200: { description: '{}', schema: Type.Object({}) } },
    authorization: { checks: mayAsk },
    mutates: false,
    handler: undefinedDocument,
  }),
];
