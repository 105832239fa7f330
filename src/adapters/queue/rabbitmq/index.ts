export { createRabbitIntentQueue, type RabbitIntentQueue, type RabbitIntentQueueOptions } from './createRabbitIntentQueue';
export { createRabbitEventPublisher, decisionRoutingKey, type RabbitEventPublisher, type RabbitEventPublisherOptions } from './createRabbitEventPublisher';
export { DEFAULT_DELIVERY_LIMIT, DEFAULT_EVENTS_EXCHANGE, DEFAULT_INTENT_QUEUE, intentTopology, type IntentTopology } from './topology';
export type { ReconnectOptions } from './connection/brokerConnection';
