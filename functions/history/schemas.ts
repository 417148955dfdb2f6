import { Type } from '@sinclair/typebox';
import { MAX_ATTEMPTS } from '../../shared/domains/jobs/index.js';

export const RunIdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });

export const LogsQuery = Type.Object(
  {
    // A run has at most MAX_ATTEMPTS attempts; a larger number used to reach PostgreSQL's integer column and fail there.
    attempt: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_ATTEMPTS, description: 'Default: the latest attempt.' })),
    tail: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000, default: 1000, description: 'Last lines to return.' })),
    follow: Type.Optional(
      Type.Boolean({
        description:
          'Stream the log as it grows (chunked text/plain, from the last `tail` lines on) until the attempt has ended and its log is complete; then the answer ends. `curl -N` shows it as it comes.',
      }),
    ),
  },
  { additionalProperties: false },
);

export const StatsQuery = Type.Object(
  { job: Type.String({ format: 'uuid' }), last: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 10 })) },
  { additionalProperties: false },
);
