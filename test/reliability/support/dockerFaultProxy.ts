import net from 'node:net';
import { findFreePort } from '../../../harness/polling';

export type ProxyMode =
  /** Forward everything to the Docker socket. */
  | 'pass'
  /** Stop listening: new connections get ECONNREFUSED, open ones are destroyed (a daemon that is down). */
  | 'refuse'
  /** Accept, then close at once without answering: "socket hang up" (a daemon that crashes on every call). */
  | 'reset'
  /** Accept and never answer (a daemon that hangs). */
  | 'hang';

/**
 * A TCP proxy on 127.0.0.1 in front of /var/run/docker.sock. alertscale gets
 * DOCKER_HOST=tcp://127.0.0.1:<port>; the test cuts and restores the path to
 * Docker at will, without touching the daemon other test runs share. Optional
 * latency slows every chunk Docker sends back, to widen race windows.
 */
export class DockerFaultProxy {
  mode: ProxyMode = 'pass';
  /** Added before each chunk from Docker is passed on. */
  latencyMs = 0;
  /**
   * Called when Docker answered a service update with 2xx, before the answer is
   * passed on: the update is applied and alertscale has not seen it yet (the
   * moment to kill it). Returning 'drop' cuts the answer off.
   */
  onUpdateApplied: (() => 'drop' | void) | undefined;
  readonly stats = { connections: 0, refusedOrReset: 0, destroyedInFlight: 0, hung: 0, cuts: 0 };
  private readonly open = new Set<net.Socket>();
  private server: net.Server;
  private listening = false;

  private constructor(
    readonly port: number,
    private readonly target: string,
  ) {
    this.server = this.newServer();
  }

  get dockerHost(): string {
    return `tcp://127.0.0.1:${this.port}`;
  }

  static async start(target = '/var/run/docker.sock'): Promise<DockerFaultProxy> {
    const proxy = new DockerFaultProxy(await findFreePort(), target);
    await proxy.listen();
    return proxy;
  }

  private newServer(): net.Server {
    return net.createServer((client) => this.onConnection(client));
  }

  private onConnection(client: net.Socket): void {
    this.stats.connections += 1;
    client.on('error', () => undefined);
    if (this.mode === 'reset' || this.mode === 'refuse') {
      this.stats.refusedOrReset += 1;
      client.destroy();
      return;
    }
    this.open.add(client);
    client.once('close', () => this.open.delete(client));
    if (this.mode === 'hang') {
      this.stats.hung += 1;
      client.resume(); // read and drop the request; never answer
      return;
    }
    const upstream = net.createConnection(this.target);
    this.open.add(upstream);
    upstream.once('close', () => this.open.delete(upstream));
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.pipe(upstream);
    // Requests on one keep-alive connection are answered in order: count the updates awaiting an answer.
    let updatesAwaitingAnswer = 0;
    client.on('data', (chunk: Buffer) => {
      if (/^POST \S*\/services\/[^/\s]+\/update/.test(chunk.toString('latin1', 0, 256))) updatesAwaitingAnswer += 1;
    });
    upstream.on('data', (chunk: Buffer) => {
      const head = chunk.toString('latin1', 0, 16);
      if (updatesAwaitingAnswer > 0 && head.startsWith('HTTP/')) {
        updatesAwaitingAnswer -= 1;
        if (/^HTTP\/1\.\d 2/.test(head) && this.onUpdateApplied?.() === 'drop') {
          client.destroy();
          upstream.destroy();
          return;
        }
      }
      if (this.latencyMs <= 0) {
        client.write(chunk);
        return;
      }
      upstream.pause();
      setTimeout(() => {
        client.write(chunk);
        upstream.resume();
      }, this.latencyMs);
    });
    upstream.on('end', () => setTimeout(() => client.end(), this.latencyMs));
  }

  private listen(): Promise<void> {
    if (this.listening) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.port, '127.0.0.1', () => {
        this.server.off('error', reject);
        this.listening = true;
        resolve();
      });
    });
  }

  /** Destroys every open connection (requests in flight to Docker fail mid-way). */
  private destroyOpen(): void {
    for (const socket of this.open) {
      // socket.resetAndDestroy() would send a RST, but on Node 20 it can leave a
      // handle that keeps the process spinning at exit; a plain destroy() cuts the
      // call just as well (the client sees "socket hang up").
      if (socket.remotePort !== undefined) this.stats.destroyedInFlight += 1;
      socket.destroy();
    }
    this.open.clear();
  }

  /** Cuts the path to Docker: in-flight calls die, new ones are refused, reset or left hanging. */
  async cut(mode: Exclude<ProxyMode, 'pass'>): Promise<void> {
    this.stats.cuts += 1;
    this.mode = mode;
    this.destroyOpen();
    if (mode === 'refuse' && this.listening) {
      this.listening = false;
      const closing = this.server;
      this.server = this.newServer();
      await new Promise<void>((resolve) => closing.close(() => resolve()));
    }
  }

  /** Restores the path to Docker. */
  async restore(): Promise<void> {
    if (this.mode === 'hang') this.destroyOpen();
    this.mode = 'pass';
    await this.listen();
  }

  async close(): Promise<void> {
    this.destroyOpen();
    if (this.listening) {
      this.listening = false;
      await new Promise<void>((resolve) => this.server.close(() => resolve()));
    }
  }
}
