import { createServer } from 'node:net';
import { describeError } from './describeError';

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Polls `probe` until it returns something other than undefined/false; a probe
 * that throws is tried again (a service may be restarting), and the last error
 * is in the timeout message.
 */
export async function waitFor<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 30_000, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${describeError(lastError)}` : ''}`, { cause: lastError });
    }
    await sleep(intervalMs);
  }
}

/** Whether `port` can be bound on 127.0.0.1 right now (0: any port; resolves with the one bound). */
function bindOnce(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(undefined));
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : undefined));
    });
  });
}

/** A TCP port free on 127.0.0.1 right now. */
export async function findFreePort(): Promise<number> {
  const port = await bindOnce(0);
  if (port === undefined) throw new Error('no free port on 127.0.0.1');
  return port;
}

/** A base port such that base .. base+count-1 are free on 127.0.0.1 right now (replicas on the host network listen on base + slot - 1). */
export async function findFreePortRange(count: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 30_000);
    const bound = await Promise.all(Array.from({ length: count }, (_, i) => bindOnce(base + i)));
    if (bound.every((port) => port !== undefined)) return base;
  }
  throw new Error(`no ${count} consecutive free ports found on 127.0.0.1`);
}
