import type winston from 'winston';
import type { Metrics } from '../../observability/metrics';
import type { ReconnectOptions } from './connection/brokerConnection';
import type { IntentTopology } from './topology';

/** What the intent publisher and the intent consumer each need for a connection of their own. */
export interface IntentConnectionOptions {
  /** With the heartbeat deriveConsumerLimits asks for. */
  url: string;
  /** Shown in `rabbitmqctl list_connections`. */
  connectionName: string;
  topology: IntentTopology;
  /** INTENT_TTL: the message expiration when publishing, the age limit when consuming. */
  ttlMs: number;
  metrics: Metrics;
  logger: winston.Logger;
  reconnect?: ReconnectOptions;
  /** Called when the connection becomes ready or stops being ready (the brokerConnected gauge). */
  onReadyChange: () => void;
  now: () => number;
}
