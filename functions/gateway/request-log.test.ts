import { describe, expect, it } from 'vitest';
import { createLogger } from '../../shared/log/index.js';
import type { Platform } from '../../shared/platform/index.js';
import { RequestLog } from './request-log.js';

/** The gateway writes its access line itself: it must be the line pino would write, field for field and in order. */
describe("the gateway's access log line", () => {
  const capture = () => {
    const lines: string[] = [];
    const logger = createLogger('info', { function: 'gateway' }, { write: (line: string) => lines.push(line) });
    const observed: unknown[] = [];
    const platform = { logger, metrics: { requestDuration: { observe: (...args: unknown[]) => observed.push(args) } } } as unknown as Platform;
    return { lines, logger, observed, log: new RequestLog(platform) };
  };
  const base = {
    requestId: 'req-1',
    functionName: 'catalog',
    method: 'GET',
    route: '/iceberg/v1/{prefix}/namespaces',
    path: '/iceberg/v1/w "quoted"\\/namespaces',
    status: 200,
    started: performance.now(),
    clientAddress: '203.0.113.9',
    principal: 'user:ana "the" admin',
    ended: undefined,
    failure: undefined,
  };

  it('is the line pino writes for the same fields', () => {
    const { lines, logger, observed, log } = capture();
    log.record(base);
    log.record({ ...base, status: 499, ended: 'client-gone', principal: undefined, clientAddress: undefined });
    const ours = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.every((l) => l.endsWith('}\n'))).toBe(true);
    const child = logger.child({ component: 'gateway' });
    const [first, second] = ours as [Record<string, unknown>, Record<string, unknown>];
    // What pino writes for the same fields, in the order the access line has them.
    const common = { requestId: 'req-1', function: 'catalog', method: 'GET', route: base.route, path: base.path };
    child.info({ ...common, status: 200, durationMs: first.durationMs, clientAddress: base.clientAddress, principal: base.principal }, 'request');
    child.info({ ...common, status: 499, durationMs: second.durationMs, stream: 'client-gone' }, 'request');
    const pinos = lines.slice(2).map((l) => JSON.parse(l) as Record<string, unknown>);
    for (const [i, line] of ours.entries()) {
      const pinoLine = pinos[i] as Record<string, unknown>;
      expect(Object.keys(line)).toEqual(Object.keys(pinoLine));
      expect({ ...line, time: 'T' }).toEqual({ ...pinoLine, time: 'T' });
      expect(Date.parse(line.time as string)).not.toBeNaN();
    }
    expect(observed).toHaveLength(2);
  });

  it('a request that failed is logged by pino as a warning with its error', () => {
    const { lines, log } = capture();
    log.record({ ...base, status: 503, failure: new Error('connect ECONNREFUSED') });
    const line = JSON.parse(lines[0] as string) as Record<string, unknown>;
    expect(line).toMatchObject({ level: 'warn', status: 503, msg: 'request not forwarded', err: { message: 'connect ECONNREFUSED' } });
  });
});
