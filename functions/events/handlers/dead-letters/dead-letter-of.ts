import type { CloudEventV1 } from 'cloudevents';
import { ValidationError } from '../../../../shared/errors/index.js';
import type { BrokerDeadLetter } from '../../store/delivery-store.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Enough of the subscriber's answer to say why; the Broker itself keeps at most 1 KiB of it. */
const ERROR_TEXT_MAX = 1000;

/**
 * A dead-lettered event as Knative's Broker sends it to a Trigger's deadLetterSink: the event as it was, with
 * extension attributes saying where delivery failed (knativeerrordest), what that destination last answered
 * (knativeerrorcode, absent when nothing answered) and the start of its answer (knativeerrordata, base64).
 */
export function deadLetterOf(event: CloudEventV1<unknown>): BrokerDeadLetter {
  const ext = event as unknown as Record<string, unknown>;
  const destination = ext['knativeerrordest'];
  if (typeof destination !== 'string' || destination === '')
    throw new ValidationError([{ in: 'header', field: 'ce-knativeerrordest', message: 'is missing: only dead letters of the Broker are taken here' }]);
  // dead_letters keys events by the UUIDs the platform's publishers and Knative's sources give them.
  if (!UUID.test(event.id)) throw new ValidationError([{ in: 'header', field: 'ce-id', message: `${event.id} is not a UUID` }]);
  const code = ext['knativeerrorcode'] === undefined ? undefined : Number(ext['knativeerrorcode']);
  if (code !== undefined && !(Number.isInteger(code) && code >= 100 && code <= 599))
    throw new ValidationError([{ in: 'header', field: 'ce-knativeerrorcode', message: 'must be an HTTP status' }]);
  const data = typeof ext['knativeerrordata'] === 'string' ? Buffer.from(ext['knativeerrordata'], 'base64').toString('utf8').slice(0, ERROR_TEXT_MAX) : '';
  const error = code === undefined ? `no answer from ${destination}` : `${destination} answered ${code}${data ? `: ${data}` : ''}`;
  return {
    id: event.id,
    source: event.source,
    type: event.type,
    subject: event.subject ?? null,
    time: event.time ? new Date(event.time) : new Date(),
    data: event.data ?? null,
    destination,
    errorCode: code ?? null,
    error,
  };
}
