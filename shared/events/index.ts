export { defineEventType, type EventType } from './event-types.js';
export { Outbox, type OutgoingEvent, type OutboxRowValues } from './outbox.js';
export { Dispatcher, type DispatcherOptions } from './dispatcher.js';
export { HttpTransport, InProcessTransport, DeliveryError, type EventTransport } from './transport.js';
export { EventConsumerSet, type ConsumeOutcome } from './consume.js';
export {
  consumer,
  type BatchItem,
  type BatchKeys,
  type ConsumptionDependencies,
  type EventConsumer,
  type EventContext,
  type FunctionServices,
  type ProcessEventConsumer,
  type ProcessEventContext,
  type StoreEventConsumer,
} from './event-consumer.js';
export { parseCloudEvent } from './parse-event.js';
export { eventKey, recordedKeysCte, recordBatchKeys } from './consume-batch.js';
export { SenderIdentityVerifier, senderIdentitySettings, type SenderIdentitySettings } from './sender-identity.js';
