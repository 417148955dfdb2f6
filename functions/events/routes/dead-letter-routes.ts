import { Type } from '@sinclair/typebox';
import { operation } from '../../../shared/http/index.js';
import { platformObject } from '../../../shared/policy/index.js';
import { deleteDeadLetter } from '../handlers/dead-letters/delete.js';
import { listDeadLetters } from '../handlers/dead-letters/list.js';
import { receiveDeadLetter } from '../handlers/dead-letters/receive.js';
import { redriveDeadLetter } from '../handlers/dead-letters/redrive.js';
import { outboxStatus } from '../handlers/outbox/status.js';
import { DeadLetter, IdParams, ListDeadLettersQuery } from '../schemas.js';

const deadLetters = () => platformObject('events', 'dead-letters');
const deadLetter = ({ params }: { params: { id: string } }) => platformObject('events', 'dead-letters', params.id);

export const deadLetterRoutes = [
  operation({
    method: 'GET',
    path: '/api/v1/events/dead-letters',
    operationId: 'events.listDeadLetters',
    tags: ['events'],
    summary: 'Events whose delivery failed past the retry limit.',
    query: ListDeadLettersQuery,
    responses: {
      200: {
        description: 'A page of dead letters',
        schema: Type.Object({ items: Type.Array(DeadLetter), nextPageToken: Type.Union([Type.String(), Type.Null()]) }),
      },
    },
    authorization: { action: 'events:dead-letters:list', resource: deadLetters },
    handler: listDeadLetters,
  }),
  operation({
    method: 'POST',
    path: '/api/v1/events/dead-letters/:id/redrive',
    operationId: 'events.redriveDeadLetter',
    tags: ['events'],
    summary: 'Put a dead letter back in the outbox with a fresh retry budget (same event id, so consumers still deduplicate).',
    params: IdParams,
    responses: { 202: { description: 'Queued for delivery' } },
    authorization: { action: 'events:dead-letters:redrive', resource: deadLetter },
    handler: redriveDeadLetter,
  }),
  operation({
    method: 'DELETE',
    path: '/api/v1/events/dead-letters/:id',
    operationId: 'events.deleteDeadLetter',
    tags: ['events'],
    summary: 'Discard a dead letter.',
    params: IdParams,
    responses: { 204: { description: 'Discarded' } },
    authorization: { action: 'events:dead-letters:delete', resource: deadLetter },
    mutates: 'in-steps',
    handler: deleteDeadLetter,
  }),
  operation({
    method: 'POST',
    // Under the function's CloudEvents path: inside the cluster only, as the Broker's other deliveries (the gateway refuses /cloudevents/*).
    path: '/cloudevents/events/dead-letters',
    operationId: 'events.receiveDeadLetter',
    tags: ['events'],
    summary:
      "The Triggers' deadLetterSink: an event the Broker gave up delivering (binary or structured mode, with Knative's knativeerrordest, knativeerrorcode and knativeerrordata) becomes a dead letter at that destination, once. Needs the Trigger's Knative Eventing sender identity token, or a platform credential allowed events:ingest.",
    authorization: {
      public:
        "the Broker delivers dead letters with the failed Trigger's sender identity token, which IngestAuthentication verifies (or a platform credential allowed events:ingest)",
    },
    mutates: 'in-steps',
    bodyKind: 'raw',
    audit: false,
    responses: { 200: { description: 'Recorded, or a duplicate of a dead letter already recorded' } },
    handler: receiveDeadLetter,
  }),
  operation({
    method: 'GET',
    path: '/api/v1/events/outbox',
    operationId: 'events.outboxStatus',
    tags: ['events'],
    summary: 'Events waiting for delivery, by type, with the oldest and the last error.',
    responses: { 200: { description: 'Outbox summary' } },
    authorization: { action: 'events:outbox:read', resource: () => platformObject('events', 'outbox') },
    handler: outboxStatus,
  }),
];
