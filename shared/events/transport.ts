import { readFile } from 'node:fs/promises';
import { CloudEvent, HTTP, type CloudEventV1 } from 'cloudevents';

/** Where the dispatcher hands events: the Knative Broker over HTTP, or the consumers in this process. */
export interface EventTransport {
  readonly name: string;
  deliver(event: CloudEventV1<unknown>): Promise<void>;
}

export class DeliveryError extends Error {}

/**
 * Binary-mode CloudEvents POSTed to the Broker (or any sink). 2xx is delivered; anything else is retried. With a
 * token file (a projected ServiceAccount token for the Broker's audience), each delivery carries it as the sender's
 * identity, which a Broker with Knative's authentication-oidc requires; it is read per delivery, as the kubelet
 * rotates it in place.
 */
export class HttpTransport implements EventTransport {
  readonly name = 'http';
  constructor(
    private readonly sinkUrl: string,
    private readonly timeoutMs = 10_000,
    private readonly tokenFile?: string,
  ) {}

  async deliver(event: CloudEventV1<unknown>): Promise<void> {
    const message = HTTP.binary(new CloudEvent(event, false));
    const headers = { ...(message.headers as Record<string, string>) };
    if (this.tokenFile) headers['authorization'] = `Bearer ${(await readFile(this.tokenFile, 'utf8')).trim()}`;
    const response = await fetch(this.sinkUrl, {
      method: 'POST',
      headers,
      body: message.body as string,
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    await response.arrayBuffer().catch(() => undefined);
    if (!response.ok) throw new DeliveryError(`sink answered ${response.status}`);
  }
}

/** Embedded mode: the consumers registered in this process, called as the HTTP ingest would call them. */
export class InProcessTransport implements EventTransport {
  readonly name = 'in-process';
  private readonly subscribers = new Map<string, Array<(e: CloudEventV1<unknown>) => Promise<void>>>();

  subscribe(type: string, deliver: (e: CloudEventV1<unknown>) => Promise<void>): void {
    const list = this.subscribers.get(type) ?? [];
    list.push(deliver);
    this.subscribers.set(type, list);
  }

  async deliver(event: CloudEventV1<unknown>): Promise<void> {
    for (const deliver of this.subscribers.get(event.type) ?? []) await deliver(event);
    // Subscribers of every type ("*"): the webhooks fan-out.
    for (const deliver of this.subscribers.get('*') ?? []) await deliver(event);
  }
}
