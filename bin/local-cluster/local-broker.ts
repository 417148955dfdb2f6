import { appendFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CloudEvent, HTTP, type CloudEventV1 } from 'cloudevents';
import { parseCloudEvent } from '../../shared/events/index.js';
import { backoffMs, isDelivered, isRetryable } from './delivery-policy.js';
import type { BrokerSpec, Destination, EventingSetup, TriggerSpec } from './eventing-manifests.js';
import { TokenIssuer } from './token-issuer.js';

/** One try of one delivery: what the subscriber answered (status) or why nothing came back (error). */
export interface DeliveryAttempt {
  readonly trigger: string;
  readonly subscriber: string;
  readonly eventId: string;
  readonly eventSource: string;
  readonly eventType: string;
  readonly attempt: number;
  readonly status: number | undefined;
  readonly error: string | undefined;
  readonly at: Date;
}

/** A delivery given up: written as a JSON line to the dead-letter file, and sent to the deadLetterSink if one is named. */
export interface DeadLetter {
  readonly trigger: string;
  readonly subscriber: string;
  readonly attempts: number;
  readonly status: number | undefined;
  readonly error: string | undefined;
  readonly event: CloudEventV1<unknown>;
  readonly at: string;
}

export interface LocalBrokerOptions {
  /** The Brokers, Triggers and their resolved addresses (loadEventing); Triggers may be set after the ports are known. */
  readonly eventing: () => EventingSetup;
  /** JSON lines of dead letters, for people and tests to read. */
  readonly deadLetterFile: string;
  /** Refuse ingress events without a sender token for the Broker's audience (authentication-oidc). Default true. */
  readonly requireSenderToken?: boolean;
  /** Per attempt, as Knative's delivery timeout. Default 30 s. */
  readonly attemptTimeoutMs?: number;
  /** One line per delivery given up and per reply event. */
  readonly report?: (line: string) => void;
}

const BATCH = 'application/cloudevents-batch+json';
const STRUCTURED = 'application/cloudevents+json';
/** Knative keeps at most this much of a failed response in knativeerrordata. */
const ERROR_DATA_MAX_BYTES = 1024;

class IngressRefusal extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The Knative MT channel-based Broker, as one process on loopback: an ingress per Broker at /<namespace>/<name>
 * taking CloudEvents in binary or structured mode (202 once accepted, as Knative answers), and a filter that sends
 * each event to every Trigger whose attributes match, in binary mode, with `Prefer: reply` and a sender token minted
 * for the Trigger's subscriber audience. Failed deliveries are retried as the Trigger's (or its Broker's) delivery
 * spec says, then dead-lettered. A reply event (a 200 answer that is itself a CloudEvent) goes back into the Broker.
 * Like the in-memory channel, it keeps nothing across its own restart.
 */
export class LocalBroker {
  readonly issuer: TokenIssuer;
  private server: Server | undefined;
  private readonly attempts: DeliveryAttempt[] = [];
  private readonly pending = new Set<NodeJS.Timeout>();
  private readonly inFlight = new Set<Promise<void>>();
  private ingressOpen = true;
  private stopped = false;

  private constructor(
    private readonly options: LocalBrokerOptions,
    issuer: TokenIssuer,
    private readonly port: number,
  ) {
    this.issuer = issuer;
  }

  /** The issuer's URL is the Broker's own origin, so it is known before the Triggers (which need the functions' ports). */
  static async start(port: number, options: LocalBrokerOptions): Promise<LocalBroker> {
    const issuer = await TokenIssuer.create(`http://127.0.0.1:${port}`);
    const broker = new LocalBroker(options, issuer, port);
    await broker.listen();
    return broker;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The ingress URL of a Broker: what the functions get as LAKEPLANE_BROKER_URL. */
  ingressUrl(namespace: string, name: string): string {
    return `${this.url}/${namespace}/${name}`;
  }

  /** Every delivery attempt so far, oldest first. */
  deliveries(): readonly DeliveryAttempt[] {
    return this.attempts;
  }

  /**
   * While closed, the ingress answers 503 as Knative's does when it cannot take events (its channel is not ready):
   * senders keep their events and try again.
   */
  setIngressOpen(open: boolean): void {
    this.ingressOpen = open;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.pending) clearTimeout(t);
    this.pending.clear();
    await Promise.allSettled([...this.inFlight]);
    const closed = new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    // Senders keep their connections alive; close() alone would wait for them.
    this.server?.closeAllConnections();
    await closed;
  }

  private listen(): Promise<void> {
    const server = createServer((req, res) => void this.handle(req, res));
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => {
        server.off('error', reject);
        const actual = (server.address() as AddressInfo).port;
        if (actual !== this.port) reject(new Error(`the Broker listens on ${actual}, not ${this.port}`));
        else resolve();
      });
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const answer = (status: number, body?: unknown) => {
      res.writeHead(status, body === undefined ? {} : { 'content-type': 'application/json' });
      res.end(body === undefined ? undefined : JSON.stringify(body));
    };
    try {
      const path = (req.url ?? '/').split('?')[0]!;
      if (req.method === 'GET' && path === TokenIssuer.discoveryPath) return answer(200, this.issuer.discovery());
      if (req.method === 'GET' && path === TokenIssuer.jwksPath) return answer(200, this.issuer.jwks());
      const [, namespace, name, ...rest] = path.split('/');
      const broker = this.options.eventing().brokers.find((b) => b.namespace === namespace && b.name === name);
      if (!broker || rest.length > 0) return answer(404, { error: `no Broker at ${path}; the ingress is /<namespace>/<broker>` });
      if (req.method !== 'POST') {
        res.setHeader('allow', 'POST');
        return answer(405, { error: 'the Broker ingress takes POST' });
      }
      const body = await readBody(req);
      const event = await this.admit(broker, req, body);
      this.accept(broker, event);
      answer(202);
    } catch (err) {
      if (err instanceof IngressRefusal) return answer(err.status, { error: err.message });
      const status = typeof (err as { status?: unknown }).status === 'number' ? (err as { status: number }).status : 400;
      answer(status >= 400 && status < 500 ? status : 400, { error: (err as Error).message });
    }
  }

  /** Ingress checks, in Knative's order: the sender's token for this Broker, then the event itself. */
  private async admit(broker: BrokerSpec, req: IncomingMessage, body: Buffer): Promise<CloudEventV1<unknown>> {
    if (!this.ingressOpen) throw new IngressRefusal(503, 'the Broker ingress is not ready');
    if (this.options.requireSenderToken ?? true) {
      const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
      if (!bearer) throw new IngressRefusal(401, `sending to Broker ${broker.namespace}/${broker.name} needs a token for audience ${broker.audience}`);
      try {
        await this.issuer.verify(bearer, broker.audience);
      } catch (err) {
        throw new IngressRefusal(401, `the sender's token is not accepted: ${(err as Error).message}`);
      }
    }
    const contentType = String(req.headers['content-type'] ?? '')
      .split(';')[0]!
      .trim()
      .toLowerCase();
    if (contentType === BATCH) throw new IngressRefusal(400, 'batched CloudEvents are not accepted by the Broker ingress; send one event per request');
    const event = parseCloudEvent(req.headers, body);
    // Knative's ingress stamps the arrival time on every event it accepts.
    return { ...event, knativearrivaltime: new Date().toISOString() } as CloudEventV1<unknown>;
  }

  /** Hands an accepted event to every matching Trigger of the Broker; each delivery goes its own way. */
  private accept(broker: BrokerSpec, event: CloudEventV1<unknown>): void {
    for (const trigger of this.options.eventing().triggers) {
      if (trigger.namespace !== broker.namespace || trigger.broker !== broker.name || !matches(trigger.filter, event)) continue;
      this.track(this.deliver(broker, trigger, event, 1));
    }
  }

  private track(work: Promise<void>): void {
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
  }

  private async deliver(broker: BrokerSpec, trigger: TriggerSpec, event: CloudEventV1<unknown>, attempt: number): Promise<void> {
    if (this.stopped) return;
    const outcome = await this.send(trigger.subscriber, trigger.subject, event, true);
    this.attempts.push({
      trigger: trigger.name,
      subscriber: trigger.subscriber.url,
      eventId: event.id,
      eventSource: event.source,
      eventType: event.type,
      attempt,
      status: outcome.status,
      error: outcome.error,
      at: new Date(),
    });
    if (outcome.status !== undefined && isDelivered(outcome.status)) {
      if (outcome.reply) this.reply(broker, trigger, outcome.reply);
      return;
    }
    const spec = trigger.delivery;
    if (spec && attempt <= spec.retry && isRetryable(outcome.status)) {
      const timer = setTimeout(
        () => {
          this.pending.delete(timer);
          this.track(this.deliver(broker, trigger, event, attempt + 1));
        },
        backoffMs(spec, attempt),
      );
      this.pending.add(timer);
      return;
    }
    await this.deadLetter(trigger, event, attempt, outcome);
  }

  /** One HTTP POST in binary content mode; a 200 answer that is a CloudEvent is returned as the reply. */
  private async send(
    to: Destination,
    subject: string,
    event: CloudEventV1<unknown>,
    preferReply: boolean,
  ): Promise<{ status: number | undefined; error: string | undefined; body?: Buffer; reply?: CloudEventV1<unknown> }> {
    const message = HTTP.binary(new CloudEvent(event, false));
    const headers: Record<string, string> = { ...(message.headers as Record<string, string>) };
    if (preferReply) headers['prefer'] = 'reply';
    if (to.audience) headers['authorization'] = `Bearer ${await this.issuer.mint(subject, to.audience, 600)}`;
    try {
      const response = await fetch(to.url, {
        method: 'POST',
        headers,
        body: message.body as string,
        signal: AbortSignal.timeout(this.options.attemptTimeoutMs ?? 30_000),
      });
      const body = Buffer.from(await response.arrayBuffer());
      const result = { status: response.status, error: isDelivered(response.status) ? undefined : `answered ${response.status}`, body };
      if (response.status !== 200 || !preferReply) return result;
      const reply = replyEvent(response.headers, body);
      return reply ? { ...result, reply } : result;
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause;
      return { status: undefined, error: cause?.code ?? (err as Error).message };
    }
  }

  /** Knative sends a subscriber's reply event back into the Broker, where it is filtered like any other. */
  private reply(broker: BrokerSpec, trigger: TriggerSpec, reply: CloudEventV1<unknown>): void {
    this.options.report?.(`broker: ${trigger.name}'s subscriber replied with a ${reply.type} event; it goes back into Broker ${broker.name}`);
    this.accept(broker, { ...reply, knativearrivaltime: new Date().toISOString() } as CloudEventV1<unknown>);
  }

  private async deadLetter(
    trigger: TriggerSpec,
    event: CloudEventV1<unknown>,
    attempts: number,
    outcome: { status: number | undefined; error: string | undefined; body?: Buffer },
  ): Promise<void> {
    const letter: DeadLetter = {
      trigger: trigger.name,
      subscriber: trigger.subscriber.url,
      attempts,
      status: outcome.status,
      error: outcome.error,
      event,
      at: new Date().toISOString(),
    };
    await appendFile(this.options.deadLetterFile, `${JSON.stringify(letter)}\n`);
    this.options.report?.(
      `broker: gave up delivering ${event.type} ${event.id} to ${trigger.name} (${trigger.subscriber.url}) after ${attempts} attempt(s): ${outcome.error ?? outcome.status}`,
    );
    const sink = trigger.delivery?.deadLetterSink;
    if (!sink) return;
    // As Knative's dead-letter delivery: the event with where it failed, the status and (some of) the answer.
    const annotated = {
      ...event,
      knativeerrordest: trigger.subscriber.url,
      ...(outcome.status !== undefined ? { knativeerrorcode: String(outcome.status) } : {}),
      ...(outcome.body && outcome.body.length > 0 ? { knativeerrordata: outcome.body.subarray(0, ERROR_DATA_MAX_BYTES).toString('base64') } : {}),
    } as CloudEventV1<unknown>;
    const sent = await this.send(sink, trigger.subject, annotated, false);
    if (sent.status === undefined || !isDelivered(sent.status))
      this.options.report?.(`broker: the dead-letter sink of ${trigger.name} (${sink.url}) refused ${event.id}: ${sent.error ?? sent.status}`);
  }
}

/** Knative's attribute filter: each named attribute (or extension) equals the value; an empty value only asks that it exists. */
export function matches(filter: Readonly<Record<string, string>>, event: CloudEventV1<unknown>): boolean {
  const attributes = event as unknown as Record<string, unknown>;
  return Object.entries(filter).every(([name, value]) => {
    const actual = attributes[name];
    if (actual === undefined || actual === null) return false;
    return value === '' || String(actual) === value;
  });
}

/** A reply is a CloudEvent in binary (ce-specversion) or structured mode; any other 200 body is not one. */
function replyEvent(headers: Headers, body: Buffer): CloudEventV1<unknown> | undefined {
  const contentType = (headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (!headers.has('ce-specversion') && contentType !== STRUCTURED) return undefined;
  const flat: Record<string, string> = {};
  headers.forEach((v, k) => (flat[k] = v));
  try {
    return parseCloudEvent(flat, body);
  } catch {
    return undefined;
  }
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 10 * 1024 * 1024) throw new IngressRefusal(413, 'an event larger than 10 MiB is refused');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
