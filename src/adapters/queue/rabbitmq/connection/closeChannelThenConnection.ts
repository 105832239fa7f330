import type { Channel } from 'amqplib';
import type { BrokerConnection } from './brokerConnection';

/** Closes the channel first (a consumer's or publisher's last frames go out), then the connection; never throws. */
export async function closeChannelThenConnection(channel: Channel | undefined, connection: BrokerConnection): Promise<void> {
  if (channel) await channel.close().catch(() => undefined);
  await connection.close();
}
