export { defineEventType, type EventType } from './event-types.js';
export { Outbox, type OutgoingEvent, type OutboxRowValues } from './outbox.js';
export { Dispatcher, type DispatcherOptions } from './dispatcher.js';
export { HttpTransport, InProcessTransport, DeliveryError, type EventTransport } from './transport.js';
export { EventConsumerSet, type ConsumeOutcome } from './consume.js';
export { parseCloudEvent } from './parse-event.js';
export { eventKey, recordedKeysCte, recordBatchKeys } from './consume-batch.js';
export { SenderIdentityVerifier, senderIdentitySettings, type SenderIdentitySettings } from './sender-identity.js';
