import { Type } from '@sinclair/typebox';

/** Request and response schemas of the events function; types, validation and the OpenAPI document come from them. */
export const DeadLetter = Type.Object({
  id: Type.String(),
  source: Type.String(),
  type: Type.String(),
  subject: Type.Union([Type.String(), Type.Null()]),
  time: Type.String({ format: 'date-time' }),
  data: Type.Unknown(),
  attempts: Type.Integer(),
  lastError: Type.Union([Type.String(), Type.Null()]),
  deadAt: Type.String({ format: 'date-time' }),
  destination: Type.Union([Type.String(), Type.Null()], {
    description: 'The subscriber the Broker gave up delivering to; null for an event that never reached the Broker.',
  }),
  errorCode: Type.Union([Type.Integer(), Type.Null()], { description: 'The HTTP status that subscriber last answered; null when none did.' }),
});
export const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) }, { additionalProperties: false });
export const ListDeadLettersQuery = Type.Object(
  {
    pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
    pageToken: Type.Optional(Type.String({ maxLength: 512 })),
    type: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);
