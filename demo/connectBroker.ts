import type { Channel, ChannelModel } from 'amqplib';
import type winston from 'winston';
import { BrokerConnection } from '../src/adapters/queue/rabbitmq/connection/brokerConnection';
import { watchChannel } from '../src/adapters/queue/rabbitmq/connection/watchChannel';

/** The demo's own first retry; the cap is RECONNECT_MAX_DELAY_MS. */
const INITIAL_RECONNECT_DELAY_MS = 250;

export interface DemoBroker {
  connection: BrokerConnection;
  /** Recycles the connection when this channel dies while the connection lives (watchChannel). */
  watch: (model: ChannelModel, channel: Channel, role: string) => void;
}

/**
 * Connects the way alertscale does, with the same BrokerConnection (backoff with
 * jitter while the broker is down at start and after any disconnect, a dead
 * channel recycles the connection): one reconnect strategy in the repository.
 * `setup` runs on every (re)connection to open channels and start consuming.
 * Returns at once: await `connection.whenReady()`, or `connection.close()` to
 * give up (e.g. on SIGTERM). `isClosing` tells the channel watchers that the
 * process closes its channels on purpose.
 */
export function connectBroker(
  options: { url: string; connectionName: string; logger: winston.Logger; maxDelayMs: number; isClosing: () => boolean },
  setup: (model: ChannelModel, broker: DemoBroker) => Promise<void>,
): DemoBroker {
  const { logger, isClosing } = options;
  const connection: BrokerConnection = new BrokerConnection({
    url: options.url,
    connectionName: options.connectionName,
    logger,
    reconnect: { initialDelayMs: INITIAL_RECONNECT_DELAY_MS, maxDelayMs: options.maxDelayMs },
    onConnect: (model) => setup(model, broker),
  });
  const broker: DemoBroker = {
    connection,
    watch: (model, channel, role) => watchChannel(connection, model, channel, { role, logger, isClosing }),
  };
  connection.open();
  return broker;
}
