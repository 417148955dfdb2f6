import { operation } from '../../../shared/http/index.js';
import { decideBatch, decideBatchChecks } from '../handlers/decisions/decide-batch.js';
import { decideChecks, decideOne } from '../handlers/decisions/decide.js';
import { DecideBatchRequest, DecideRequest, Decision, DecisionBatch } from '../schemas.js';

const base = '/api/v1/policies';
/** A decision only reads; a catalog token may ask it too (engines ask about their session's user with its token). */
const DECIDE_SCOPES = ['policies:read', 'catalog:read'];

// Anyone may ask about themselves; asking for someone else is checked (policies:decisions:impersonate).
export const decisionRoutes = [
  operation({
    method: 'POST',
    path: `${base}/decide`,
    operationId: 'policies.decide',
    tags: ['policies'],
    audit: false,
    scope: DECIDE_SCOPES,
    body: DecideRequest,
    summary: 'Decide one request against the data access policies: allowed or not, by which policy, audit, and for a select the masks and row filter.',
    responses: { 200: { description: 'The decision', schema: Decision } },
    authorization: { checks: decideChecks },
    mutates: false,
    handler: decideOne,
  }),
  operation({
    method: 'POST',
    path: `${base}/decide/batch`,
    operationId: 'policies.decideBatch',
    tags: ['policies'],
    audit: false,
    scope: DECIDE_SCOPES,
    body: DecideBatchRequest,
    summary: 'Decide many requests for one principal in one call; decisions come back in request order.',
    responses: { 200: { description: 'The decisions', schema: DecisionBatch } },
    authorization: { checks: decideBatchChecks },
    mutates: false,
    handler: decideBatch,
  }),
];
