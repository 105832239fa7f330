/**
 * What the HTTP layer needs from outside it. The observability adapters
 * implement these (prom-client's counters and registry, the recent-decisions
 * list); src/composeAlertscale.ts passes them in.
 */
import type { Decision } from '../domain/types';

export interface HttpMetrics {
  webhookRequests: { inc(labels: { code: string }, value?: number): void };
  webhookAlerts: { inc(labels: { status: string }, value?: number): void };
  webhookDuration: { startTimer(): () => unknown };
  /** What GET /metrics serves. */
  registry: { contentType: string; metrics(): Promise<string> };
}

/** The decisions the API and the status page show, newest first. */
export interface RecentDecisionsView {
  list(service?: string, limit?: number): Decision[];
}
