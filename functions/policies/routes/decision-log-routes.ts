import { Type } from '@sinclair/typebox';
import { operation } from '../../../shared/http/index.js';
import { platformObject } from '../../../shared/policy/index.js';
import { readDecisionLog } from '../handlers/decisions/read-log.js';
import { DecisionLogEntry, DecisionLogQuery } from '../schemas.js';

export const decisionLogRoutes = [
  operation({
    method: 'GET',
    path: '/api/v1/policies/decisions',
    operationId: 'policies.decisionLog',
    tags: ['policies'],
    query: DecisionLogQuery,
    summary:
      'The decision log, newest first: data decisions whose policy audits, and every refused platform action, with input, answer and versions. Written within a second of the decision.',
    responses: {
      200: {
        description: 'A page of decisions',
        schema: Type.Object({ items: Type.Array(DecisionLogEntry), nextPageToken: Type.Union([Type.String(), Type.Null()]) }),
      },
    },
    authorization: { action: 'policies:decisions:read', resource: () => platformObject('policies', 'decisions') },
    handler: readDecisionLog,
  }),
];
