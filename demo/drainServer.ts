import type http from 'node:http';
import type { DrainState } from './createApiApp';

export interface DrainTimings {
  /** /healthz answers 503 this long before the port closes: the load balancer's checks see it and stop sending. */
  drainDelayMs: number;
  /** Then held requests get this long to finish before their connections are cut. */
  graceMs: number;
}

/**
 * Graceful stop of an HTTP server: mark draining, wait for the load balancer to
 * notice, stop accepting, let requests in service and in line finish (their
 * responses close keep-alive connections), and cut what is left after the
 * grace. Resolves true when every request was answered.
 */
export async function drainServer(server: http.Server, drain: DrainState, timings: DrainTimings): Promise<boolean> {
  drain.draining = true;
  await new Promise((resolve) => setTimeout(resolve, timings.drainDelayMs));
  const closed = new Promise<boolean>((resolve) => server.close(() => resolve(true)));
  // A request answered after close() leaves its keep-alive socket idle: close those as they appear.
  server.closeIdleConnections();
  const sweeper = setInterval(() => server.closeIdleConnections(), 50);
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), timings.graceMs);
  });
  const finished = await Promise.race([closed, expired]);
  clearTimeout(timer);
  clearInterval(sweeper);
  if (!finished) server.closeAllConnections();
  return finished;
}
