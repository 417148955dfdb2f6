import { Type } from '@sinclair/typebox';

export const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
const EventTypes = Type.Array(
  Type.String({
    pattern: '^(\\*|io\\.lakeplane\\.[a-z0-9.-]+\\*?)$',
    maxLength: 256,
    description: 'An event type, a prefix ending in * (io.lakeplane.jobs.*), or * for every platform event.',
  }),
  { minItems: 1, maxItems: 100, uniqueItems: true },
);
const Url = Type.String({ format: 'uri', pattern: '^https?://', maxLength: 2048 });
export const CreateBody = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 200 }), url: Url, eventTypes: EventTypes },
  { additionalProperties: false },
);
export const UpdateBody = Type.Object(
  {
    url: Type.Optional(Url),
    eventTypes: Type.Optional(EventTypes),
    enabled: Type.Optional(Type.Boolean({ description: 'true re-enables a subscription that was disabled (its failure count starts over).' })),
  },
  { additionalProperties: false },
);
export const Subscription = Type.Object({
  id: Type.String(),
  name: Type.String(),
  url: Type.String(),
  eventTypes: Type.Array(Type.String()),
  enabled: Type.Boolean(),
  disabledReason: Type.Union([Type.String(), Type.Null()]),
  consecutiveFailures: Type.Integer(),
  createdAt: Type.String(),
  createdBy: Type.Union([Type.String(), Type.Null()]),
  secret: Type.Optional(Type.String({ description: 'Shown when the subscription is made: verify signatures with it (Standard Webhooks).' })),
});
export const Delivery = Type.Object({
  eventId: Type.String(),
  eventType: Type.String(),
  status: Type.String(),
  attempts: Type.Integer(),
  lastStatus: Type.Union([Type.Integer(), Type.Null()]),
  lastError: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String(),
  deliveredAt: Type.Union([Type.String(), Type.Null()]),
  nextAttemptAt: Type.Union([Type.String(), Type.Null()]),
});
export const DeliveriesQuery = Type.Object(
  {
    status: Type.Optional(Type.Union([Type.Literal('pending'), Type.Literal('delivered'), Type.Literal('failed')])),
    pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
  },
  { additionalProperties: false },
);
