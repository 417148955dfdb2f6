import { pino } from 'pino';
import type { Platform } from '../../shared/platform/index.js';

/** What is known of a request when its answer is done. */
export interface RequestRecord {
  readonly requestId: string;
  readonly functionName: string;
  readonly method: string;
  readonly route: string;
  readonly path: string;
  readonly status: number;
  /** performance.now() when the request came (a double: no BigInt per request). */
  readonly started: number;
  readonly clientAddress: string | undefined;
  readonly principal: string | undefined;
  /** How a forwarded answer ended, when not whole: 'client-gone' or 'failed'. */
  readonly ended: string | undefined;
  /** Why the request did not reach its function, or its answer was cut. */
  readonly failure: unknown;
}

interface LineSink {
  write(line: string): unknown;
}

/**
 * One access log line (the platform's JSON format) and one duration sample per request, whichever way it came.
 *
 * The line of a request that went well is written here, not through pino: it is made of known fields, so it needs
 * neither pino's generic serializer nor its redaction, and a fresh ISO timestamp per line. Under load pino's path
 * was an eighth of the gateway's CPU per request (bench/RESULTS.md, issue 21). The line is the one pino writes (its
 * level label, time, the logger's bindings, the fields, msg) and goes to the same destination, so lines keep their
 * order. A request that failed is logged through pino, with its error.
 */
export class RequestLog {
  private readonly logger;
  private readonly sink: LineSink;
  /** `,"service":…,"component":"gateway"`: the bindings as pino serialized them once. */
  private readonly bindings: string;
  private readonly enabled: boolean;
  private lastMs = 0;
  private lastIso = '';

  constructor(private readonly platform: Platform) {
    // The access log line is made of known fields, none secret: it skips the redaction walk, as the pipeline's does.
    this.logger = platform.logger.child({ component: 'gateway' }, { redact: [] });
    const internals = this.logger as unknown as Record<symbol, unknown>;
    this.sink = internals[pino.symbols.streamSym] as LineSink;
    this.bindings = internals[pino.symbols.chindingsSym] as string;
    this.enabled = this.logger.isLevelEnabled('info');
  }

  /** `r.requestId` is a UUID or matched /^[A-Za-z0-9._:-]{1,128}$/ (server.ts): it needs no JSON escaping. */
  record(r: RequestRecord): void {
    const seconds = (performance.now() - r.started) / 1e3;
    this.platform.metrics.requestDuration.observe(r.functionName, r.method, r.route, r.status, seconds);
    const durationMs = Math.round(seconds * 1e6) / 1e3;
    if (r.failure) {
      this.logger.warn({ ...fields(r, durationMs), err: r.failure }, 'request not forwarded');
      return;
    }
    if (!this.enabled) return;
    let line = `{"level":"info","time":"${this.isoNow()}"${this.bindings},"requestId":"${r.requestId}","function":"${r.functionName}","method":"${r.method}","route":${JSON.stringify(r.route)},"path":${JSON.stringify(r.path)},"status":${r.status},"durationMs":${durationMs}`;
    if (r.clientAddress !== undefined) line += `,"clientAddress":${JSON.stringify(r.clientAddress)}`;
    if (r.principal) line += `,"principal":${JSON.stringify(r.principal)}`;
    if (r.ended && r.ended !== 'complete') line += `,"stream":"${r.ended}"`;
    this.sink.write(`${line},"msg":"request"}\n`);
  }

  private isoNow(): string {
    const now = Date.now();
    if (now !== this.lastMs) {
      this.lastMs = now;
      this.lastIso = new Date(now).toISOString();
    }
    return this.lastIso;
  }
}

function fields(r: RequestRecord, durationMs: number) {
  return {
    requestId: r.requestId,
    function: r.functionName,
    method: r.method,
    route: r.route,
    path: r.path,
    status: r.status,
    durationMs,
    clientAddress: r.clientAddress,
    ...(r.principal ? { principal: r.principal } : {}),
    ...(r.ended && r.ended !== 'complete' ? { stream: r.ended } : {}),
  };
}
