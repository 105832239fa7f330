import type winston from 'winston';
import { checkDedupWindow, SHIPPED_SCALE_ROUTE, type ScaleRouteTimings } from './checkDedupWindow';

export interface StartupCheckDeps {
  logger: winston.Logger;
  dedupWindowMs: number;
  dockerHost: string;
  pingDocker: () => Promise<void>;
  /** Present with ALERTMANAGER_URL: the scale routes of Alertmanager's running config, and its HA cluster size. */
  alertmanager?: { url: string; readRoutes: () => Promise<{ routes: ScaleRouteTimings[]; clusterPeers: number }> };
}

const warn = (logger: winston.Logger, message: string, check: string) => logger.warn(message, { event: 'startup_warning', check });
// A window outside its bounds breaks "each notification at most once" or stalls scaling: louder than a warning.
const alarm = (logger: winston.Logger, message: string) => logger.error(message, { event: 'startup_warning', check: 'dedup_window' });

/**
 * What is wrong around alertscale, said once at start (the process starts anyway:
 * Docker or Alertmanager may come up later, and /readyz keeps telling).
 */
export async function runStartupChecks(deps: StartupCheckDeps): Promise<void> {
  const { logger } = deps;
  const docker = deps.pingDocker().then(
    () => undefined,
    (error: Error) =>
      warn(
        logger,
        `Docker at ${deps.dockerHost} does not answer (${error.message}): nothing can be scaled and /readyz is 503 until it does (check DOCKER_HOST, the socket mount and its group, or the socket proxy)`,
        'docker',
      ),
  );
  const running = deps.alertmanager
    ? deps.alertmanager.readRoutes().then(
        (found) => {
          if (found.routes.length === 0) {
            warn(
              logger,
              `Alertmanager at ${deps.alertmanager?.url} has no route matching on scale_service that sends to a webhook: DEDUP_WINDOW cannot be checked against group_interval and repeat_interval (see the README, "The alert contract")`,
              'dedup_window',
            );
          }
          return found;
        },
        (error: Error) => {
          warn(
            logger,
            `Alertmanager at ${deps.alertmanager?.url} does not answer (${error.message}): the scale-down guard cannot confirm a scale-down is safe, so scale-downs are blocked until it answers (scale-ups are not affected); DEDUP_WINDOW is checked against the shipped route instead`,
            'alertmanager',
          );
          return { routes: [SHIPPED_SCALE_ROUTE], clusterPeers: 1 };
        },
      )
    : Promise.resolve({ routes: [SHIPPED_SCALE_ROUTE], clusterPeers: 1 });
  const { routes, clusterPeers } = await running;
  for (const problem of checkDedupWindow(deps.dedupWindowMs, routes, clusterPeers)) alarm(logger, problem);
  await docker;
}
