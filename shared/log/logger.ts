import { pino, type Logger } from 'pino';
import { batchedStdout } from './turn-batched-stream.js';

export type { Logger };

/** One JSON line per event on stdout; secrets in well-known places are redacted before they are written. */
export function createLogger(level: string, bindings: Record<string, unknown> = {}, destination: { write(line: string): unknown } = batchedStdout()): Logger {
  return pino(
    {
      level,
      base: { service: 'lakeplane', ...bindings },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: {
        paths: ['req.headers.authorization', '*.password', '*.client_secret', '*.refresh_token', '*.secret'],
        censor: '[redacted]',
      },
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}
