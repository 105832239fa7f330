/**
 * What the HTTP layer needs from outside it. The observability adapters
 * implement these (prom-client's counters and registry, the recent-decisions
 * list); src/composeAlertscale.ts passes them in.
 */
import type { DecisionRecord } from '../app/ports';

export interface HttpMetrics {
  webhookRequests: { inc(labels: { code: string }, value?: number): void };
  webhookAlerts: { inc(labels: { status: string }, value?: number): void };
  webhookDuration: { startTimer(): () => unknown };
  /** What GET /metrics serves. */
  registry: { contentType: string; metrics(): Promise<string> };
}

/** The decisions the API and the status page show, newest first. */
export interface RecentDecisionsView {
  list(service?: string, limit?: number): DecisionRecord[];
  /** RFC 3339: when the newest notification about the service that was decided arrived, if still in the history. */
  lastNotificationAt(service: string): string | undefined;
}
