import * as amqp from 'amqplib';
import type { ChannelModel } from 'amqplib';
import type winston from 'winston';
import { backoffDelayMs } from './backoffDelayMs';
import { describeError } from './describeError';

export interface ReconnectOptions {
  /** First retry delay, before jitter. Default 250 ms. */
  initialDelayMs?: number;
  /** Cap on the retry delay. Default 10 s. */
  maxDelayMs?: number;
}

export interface BrokerConnectionOptions {
  url: string;
  /** Shown in RabbitMQ's connection list (`rabbitmqctl list_connections client_properties`). */
  connectionName: string;
  logger: winston.Logger;
  /**
   * Runs after every (re)connect, before the connection counts as ready: declare
   * topology, open channels, start consuming. Throwing (or the connection dropping
   * meanwhile) closes the connection and schedules another attempt.
   */
  onConnect: (model: ChannelModel) => Promise<void>;
  /** Called once for every connection that is lost or given up, before the retry is scheduled. */
  onLost?: (model: ChannelModel, reason: string) => void;
  /** Called when readiness changes (true after onConnect succeeded, false when lost). */
  onReadyChange?: (ready: boolean) => void;
  reconnect?: ReconnectOptions;
  /** TCP connect + AMQP handshake timeout. Default 5 s. */
  connectTimeoutMs?: number;
}

const noop = () => undefined;

/**
 * One AMQP connection that reconnects by itself. Any loss (broker restart, socket
 * error, heartbeat timeout, or an owner calling recycle() because a channel died)
 * ends in the same place: mark not ready, tell the owner, retry with backoff, and
 * run onConnect again on the new connection. Every emitter gets 'error' and
 * 'close' listeners, so nothing surfaces as an unhandled error or rejection.
 *
 * The one reconnect strategy of the repository: alertscale's intent queue, event
 * publisher and decision feed, and the demo workload (demo/connectBroker.ts), all
 * connect through it, and recycle on a dead channel with watchChannel. This
 * folder imports nothing else from src/, so the demo stays a small program.
 *
 * amqplib 2.x has a built-in `recovery` option; it is not used because it only
 * recovers the connection (channels, topology and consumers are still ours to
 * rebuild), it makes createChannel() wait for a reconnect (a webhook must fail
 * fast with 503 instead), and a channel-level error would not trigger it.
 */
export class BrokerConnection {
  private model: ChannelModel | undefined;
  private ready = false;
  private closed = false;
  private connecting = false;
  private everConnected = false;
  private timer: NodeJS.Timeout | undefined;
  private nextAttemptAt: number | undefined;
  private attempt = 0;
  private lastError: string | undefined;
  private blockedReason: string | undefined;
  private readonly waiters = new Set<{ resolve: () => void; reject: (error: Error) => void }>();
  private readonly initialDelayMs: number;
  private readonly maxDelayMs: number;

  constructor(private readonly options: BrokerConnectionOptions) {
    this.initialDelayMs = options.reconnect?.initialDelayMs ?? 250;
    this.maxDelayMs = Math.max(this.initialDelayMs, options.reconnect?.maxDelayMs ?? 10_000);
  }

  /** Starts connecting in the background; never throws. */
  open(): void {
    void this.connectOnce();
  }

  /** The connection, when connected (it may still be running onConnect). */
  get current(): ChannelModel | undefined {
    return this.model;
  }

  isReady(): boolean {
    return this.ready && !this.closed;
  }

  /** Why publishes would not be accepted right now, if anything (RabbitMQ memory/disk alarm). */
  get blocked(): string | undefined {
    return this.blockedReason;
  }

  /** Undefined when connected and set up, else a human reason. */
  status(): string | undefined {
    if (this.closed) return 'broker connection closed (shutting down)';
    if (this.ready) return undefined;
    if (this.connecting && this.lastError === undefined) return 'connecting to the broker';
    const retry =
      this.timer && this.nextAttemptAt !== undefined
        ? `; reconnecting in ${Math.max(0, (this.nextAttemptAt - Date.now()) / 1000).toFixed(1)}s (attempt ${this.attempt + 1})`
        : '; reconnecting';
    const cause = this.lastError ?? 'unknown cause';
    return this.everConnected ? `broker connection lost: ${cause}${retry}` : `broker unreachable: ${cause}${retry}`;
  }

  /** Resolves once ready; rejects after timeoutMs (never, with Infinity) or when closed, with the current status. */
  whenReady(timeoutMs = 30_000): Promise<void> {
    if (this.isReady()) return Promise.resolve();
    if (this.closed) return Promise.reject(new Error(this.status()));
    return new Promise<void>((resolve, reject) => {
      const waiter = {
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
        reject: (error: Error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      const timer = Number.isFinite(timeoutMs)
        ? setTimeout(() => {
            this.waiters.delete(waiter);
            reject(new Error(`broker not ready after ${timeoutMs} ms: ${this.status() ?? 'ready'}`));
          }, timeoutMs)
        : undefined;
      this.waiters.add(waiter);
    });
  }

  /** Drops this connection (if still the current one) and reconnects, e.g. because one of its channels died. */
  recycle(model: ChannelModel, reason: string): void {
    this.lose(model, reason);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const model = this.model;
    this.model = undefined;
    const wasReady = this.ready;
    this.ready = false;
    if (wasReady) this.options.onReadyChange?.(false);
    for (const waiter of this.waiters) waiter.reject(new Error('broker connection closed'));
    this.waiters.clear();
    if (model) await model.close().catch(noop);
  }

  private async connectOnce(): Promise<void> {
    if (this.closed || this.connecting || this.model) return;
    this.connecting = true;
    let model: ChannelModel | undefined;
    try {
      model = await amqp.connect(this.options.url, {
        timeout: this.options.connectTimeoutMs ?? 5000,
        clientProperties: { connection_name: this.options.connectionName },
      });
      if (this.closed) {
        model.on('error', noop);
        await model.close().catch(noop);
        return;
      }
      this.model = model;
      this.bind(model);
      await this.options.onConnect(model);
      if (this.model !== model) return; // lost while setting up; lose() already scheduled a retry
      this.ready = true;
      this.everConnected = true;
      this.attempt = 0;
      this.lastError = undefined;
      this.nextAttemptAt = undefined;
      this.options.logger.info('connected to the broker', { event: 'broker_connected', connection: this.options.connectionName });
      this.options.onReadyChange?.(true);
      for (const waiter of this.waiters) waiter.resolve();
      this.waiters.clear();
    } catch (error) {
      const reason = describeError(error);
      if (model && this.model === model) {
        this.lose(model, reason);
      } else if (!model) {
        this.lastError = reason;
        // One warning when an outage starts and one every 10 attempts; the rest at debug.
        const level = this.attempt % 10 === 0 ? 'warn' : 'debug';
        this.options.logger.log(level, `broker unreachable: ${reason}`, { event: 'broker_connect_failed', connection: this.options.connectionName, attempt: this.attempt + 1 });
        this.scheduleReconnect();
      }
    } finally {
      this.connecting = false;
    }
  }

  private bind(model: ChannelModel): void {
    model.on('error', (error: Error) => {
      // 'close' always follows; this only keeps the error from being thrown.
      this.options.logger.warn(`broker connection error: ${error.message}`, { event: 'broker_connection_error', connection: this.options.connectionName });
    });
    model.on('close', (error?: Error) => this.lose(model, error ? describeError(error) : 'connection closed'));
    model.on('blocked', (reason: string) => {
      this.blockedReason = reason;
      this.options.logger.warn(`broker blocks publishing: ${reason}`, { event: 'broker_blocked', connection: this.options.connectionName });
    });
    model.on('unblocked', () => {
      this.blockedReason = undefined;
      this.options.logger.info('broker unblocked publishing', { event: 'broker_unblocked', connection: this.options.connectionName });
    });
  }

  private lose(model: ChannelModel, reason: string): void {
    if (this.model !== model) return;
    this.model = undefined;
    this.blockedReason = undefined;
    const wasReady = this.ready;
    this.ready = false;
    this.lastError = reason;
    this.options.logger.warn(`broker connection lost: ${reason}`, { event: 'broker_connection_lost', connection: this.options.connectionName });
    if (wasReady) this.options.onReadyChange?.(false);
    this.options.onLost?.(model, reason);
    model.close().catch(noop); // still open when recycled; a no-op error when already closed
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.closed || this.timer) return;
    this.attempt += 1;
    const delay = backoffDelayMs(this.attempt, this.initialDelayMs, this.maxDelayMs);
    this.nextAttemptAt = Date.now() + delay;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      // An attempt whose connection died during onConnect may still be unwinding: try again later.
      if (this.connecting) this.scheduleReconnect();
      else void this.connectOnce();
    }, delay);
  }
}
