import { Type } from '@sinclair/typebox';
import { operation } from '../../../shared/http/index.js';
import { platformObject } from '../../../shared/policy/index.js';
import { createSubscription } from '../handlers/subscriptions/create.js';
import { deleteSubscription } from '../handlers/subscriptions/delete.js';
import { listDeliveries } from '../handlers/subscriptions/list-deliveries.js';
import { listSubscriptions } from '../handlers/subscriptions/list.js';
import { readSubscription } from '../handlers/subscriptions/read.js';
import { updateSubscription } from '../handlers/subscriptions/update.js';
import { CreateBody, DeliveriesQuery, Delivery, IdParams, Subscription, UpdateBody } from '../schemas.js';

const base = '/api/v1/webhooks';
const subscriptions = () => platformObject('webhooks');
const subscription = ({ params }: { params: { id: string } }) => platformObject('webhooks', params.id);

// A refused read, or a refused subscription, is recorded against the path asked for, as it always was; a change to
// a subscription against it.
export const webhookRoutes = [
  operation({
    method: 'POST',
    path: base,
    operationId: 'webhooks.create',
    tags: ['webhooks'],
    body: CreateBody,
    summary: 'Subscribe a URL to platform events: each is POSTed as a CloudEvent, signed the Standard Webhooks way with the secret shown once here.',
    responses: { 201: { description: 'The subscription, with its secret', schema: Subscription } },
    authorization: { action: 'webhooks:subscription:create', resource: subscriptions },
    auditResource: () => base,
    // The URL's name is resolved before the one statement that stores the subscription.
    mutates: 'in-steps',
    handler: createSubscription,
  }),
  operation({
    method: 'GET',
    path: base,
    operationId: 'webhooks.list',
    tags: ['webhooks'],
    summary: 'List webhook subscriptions.',
    responses: { 200: { description: 'The subscriptions', schema: Type.Object({ items: Type.Array(Subscription) }) } },
    authorization: { action: 'webhooks:subscription:list', resource: subscriptions },
    auditResource: () => base,
    handler: listSubscriptions,
  }),
  operation({
    method: 'GET',
    path: `${base}/:id`,
    operationId: 'webhooks.get',
    tags: ['webhooks'],
    params: IdParams,
    summary: 'Read a subscription (enabled or why not).',
    responses: { 200: { description: 'The subscription', schema: Subscription } },
    authorization: { action: 'webhooks:subscription:read', resource: subscription },
    auditResource: ({ params }) => `${base}/${params.id}`,
    handler: readSubscription,
  }),
  operation({
    method: 'PATCH',
    path: `${base}/:id`,
    operationId: 'webhooks.update',
    tags: ['webhooks'],
    params: IdParams,
    body: UpdateBody,
    summary: 'Change the URL or event types, or enable a disabled subscription again.',
    responses: { 200: { description: 'The subscription', schema: Subscription } },
    authorization: { action: 'webhooks:subscription:update', resource: subscription },
    // A new URL's name is resolved before the one statement that changes the subscription.
    mutates: 'in-steps',
    handler: updateSubscription,
  }),
  operation({
    method: 'DELETE',
    path: `${base}/:id`,
    operationId: 'webhooks.delete',
    tags: ['webhooks'],
    params: IdParams,
    summary: 'Delete a subscription and its delivery log.',
    responses: { 204: { description: 'Deleted' } },
    authorization: { action: 'webhooks:subscription:delete', resource: subscription },
    handler: deleteSubscription,
  }),
  operation({
    method: 'GET',
    path: `${base}/:id/deliveries`,
    operationId: 'webhooks.deliveries',
    tags: ['webhooks'],
    params: IdParams,
    query: DeliveriesQuery,
    summary: 'The delivery log of a subscription, newest first: every event, its tries and the last answer.',
    responses: { 200: { description: 'Deliveries', schema: Type.Object({ items: Type.Array(Delivery) }) } },
    authorization: { action: 'webhooks:subscription:read', resource: subscription },
    auditResource: ({ params }) => `${base}/${params.id}/deliveries`,
    handler: listDeliveries,
  }),
];
