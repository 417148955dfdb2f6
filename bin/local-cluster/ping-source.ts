import { randomUUID } from 'node:crypto';
import { Cron } from 'croner';
import type { PingSourceSpec } from './eventing-manifests.js';
import type { TokenIssuer } from './token-issuer.js';

/** What one tick sent, and what the sink answered. */
export interface PingTick {
  readonly id: string;
  readonly time: string;
  readonly status: number | undefined;
  readonly error: string | undefined;
}

/**
 * Knative's PingSource on its cron schedule: each tick is a CloudEvent of type dev.knative.sources.ping from
 * /apis/v1/namespaces/<namespace>/pingsources/<name>, its data spec.data as the body with spec.contentType, sent in
 * binary mode to the sink with a sender token for the sink's audience (the PingSource's OIDC ServiceAccount).
 */
export class PingSourceRunner {
  private cron: Cron | undefined;
  readonly ticks: PingTick[] = [];

  constructor(
    readonly spec: PingSourceSpec,
    private readonly issuer: TokenIssuer,
    private readonly log: (line: string) => void = () => undefined,
  ) {}

  start(): void {
    this.cron = new Cron(this.spec.schedule, { ...(this.spec.timezone ? { timezone: this.spec.timezone } : {}), protect: true }, () => void this.fire());
  }

  stop(): void {
    this.cron?.stop();
  }

  /** One tick now, as the schedule would send it (the launcher's schedule calls this; so may a test). */
  async fire(at: Date = new Date()): Promise<PingTick> {
    const id = randomUUID();
    const time = at.toISOString();
    const headers: Record<string, string> = {
      'ce-specversion': '1.0',
      'ce-id': id,
      'ce-source': `/apis/v1/namespaces/${this.spec.namespace}/pingsources/${this.spec.name}`,
      'ce-type': 'dev.knative.sources.ping',
      'ce-time': time,
      'content-type': this.spec.contentType,
    };
    if (this.spec.sink.audience) headers['authorization'] = `Bearer ${await this.issuer.mint(this.spec.subject, this.spec.sink.audience, 600)}`;
    let tick: PingTick;
    try {
      const response = await fetch(this.spec.sink.url, { method: 'POST', headers, body: this.spec.data, signal: AbortSignal.timeout(30_000) });
      await response.arrayBuffer();
      tick = { id, time, status: response.status, error: response.ok ? undefined : `answered ${response.status}` };
    } catch (err) {
      tick = { id, time, status: undefined, error: (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message };
    }
    this.ticks.push(tick);
    if (tick.error) this.log(`ping-source ${this.spec.name}: the tick of ${time} was not accepted by ${this.spec.sink.url}: ${tick.error}`);
    return tick;
  }
}
