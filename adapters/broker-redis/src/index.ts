export { createRedisBroker } from './redis-broker.js';
export type { RedisBrokerOptions } from './redis-broker.js';
export { brokerKeys } from './keys.js';
export type { BrokerKeys } from './keys.js';
