import { readFileSync } from 'node:fs';
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

/** Whether `port` can be bound on 127.0.0.1 right now (resolves with it, or undefined). */
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

/**
 * Ports are chosen below the kernel's ephemeral range: a port handed out there
 * looks free now but may be taken minutes later by some client's outgoing
 * connection (a load tool opens thousands), and a service bound to it later
 * (a benchmark phase's api, 20 minutes into the run) then fails to start.
 */
const LOWEST_PORT = 20_000;

/**
 * Ports this process handed out already: a stack asks for several before its
 * processes bind any, and a port free a moment ago is still free then.
 */
const handedOut = new Set<number>();

/** The first port of the kernel's ephemeral range (32768 where it cannot be read). */
export function ephemeralRangeStart(rangeFile = '/proc/sys/net/ipv4/ip_local_port_range'): number {
  try {
    const first = Number(readFileSync(rangeFile, 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(first) && first > LOWEST_PORT ? first : 32_768;
  } catch {
    return 32_768;
  }
}

/** A TCP port free on 127.0.0.1 right now, below the ephemeral range. */
export async function findFreePort(): Promise<number> {
  return findFreePortRange(1);
}

/** A base port such that base .. base+count-1 are free on 127.0.0.1 right now and lie below the ephemeral range (replicas on the host network listen on base + slot - 1). */
export async function findFreePortRange(count: number): Promise<number> {
  const span = ephemeralRangeStart() - LOWEST_PORT - count;
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = LOWEST_PORT + Math.floor(Math.random() * span);
    const ports = Array.from({ length: count }, (_, i) => base + i);
    if (ports.some((port) => handedOut.has(port))) continue;
    const bound = await Promise.all(ports.map(bindOnce));
    if (bound.every((port) => port !== undefined)) {
      for (const port of ports) handedOut.add(port);
      return base;
    }
  }
  throw new Error(`no ${count} consecutive free ports found on 127.0.0.1 between ${LOWEST_PORT} and the ephemeral range`);
}
