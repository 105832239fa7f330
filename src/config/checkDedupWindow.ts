import { formatDuration } from './formatDuration';

/** The timings of one Alertmanager route that sends scale alerts to alertscale. */
export interface ScaleRouteTimings {
  /** How the route is shown in a warning, e.g. `scale_service=~".+"`. */
  route: string;
  groupIntervalMs: number;
  repeatIntervalMs: number;
}

/**
 * The shipped route (alertmanager/alertmanager.yml, checked by a test), assumed
 * when alertscale cannot read the real one (no ALERTMANAGER_URL).
 */
export const SHIPPED_SCALE_ROUTE: ScaleRouteTimings = { route: 'the shipped route (alertmanager/alertmanager.yml)', groupIntervalMs: 15_000, repeatIntervalMs: 60_000 };

/**
 * Alertmanager's default --cluster.peer-timeout: in an HA cluster the peer at
 * position N sends a group's notification N × this later, when the earlier ones
 * did not log it as sent (a crash mid-delivery), and then retries it too.
 */
export const PEER_TIMEOUT_MS = 15_000;

/**
 * The rule: group_interval (+ peer timeout per further HA peer) <= DEDUP_WINDOW < repeat_interval.
 * - Alertmanager retries a failed delivery for up to group_interval; a retry that
 *   arrives after the window (a crash after Docker applied the change, before the
 *   answer) would be applied again.
 * - A firing alert is re-sent every repeat_interval with the same key; each re-send
 *   is meant to be the next step. A window that reaches it turns every step into a duplicate.
 * Returns one warning per broken bound, each saying what goes wrong and how to fix it.
 */
export function checkDedupWindow(windowMs: number, routes: ScaleRouteTimings[], clusterPeers = 1): string[] {
  const window = formatDuration(windowMs);
  const peerMarginMs = Math.max(0, clusterPeers - 1) * PEER_TIMEOUT_MS;
  const peers = peerMarginMs > 0 ? ` plus ${clusterPeers - 1} × the ${formatDuration(PEER_TIMEOUT_MS)} peer timeout of its HA cluster (${clusterPeers} peers)` : '';
  return routes.flatMap((route) => {
    const warnings: string[] = [];
    const retriesLastMs = route.groupIntervalMs + peerMarginMs;
    if (windowMs < retriesLastMs) {
      warnings.push(
        `DEDUP_WINDOW (${window}) is shorter than group_interval (${formatDuration(route.groupIntervalMs)})${peers} of ${route.route}: Alertmanager retries a failed notification for up to group_interval, and a retry after the window is applied again (a second step for one alert); raise DEDUP_WINDOW to at least ${formatDuration(retriesLastMs)}`,
      );
    }
    if (windowMs >= route.repeatIntervalMs) {
      warnings.push(
        `DEDUP_WINDOW (${window}) is not shorter than repeat_interval (${formatDuration(route.repeatIntervalMs)}) of ${route.route}: every repeat of a firing alert is a duplicate, so step scaling stalls; lower DEDUP_WINDOW below ${formatDuration(route.repeatIntervalMs)} or raise repeat_interval`,
      );
    }
    return warnings;
  });
}
