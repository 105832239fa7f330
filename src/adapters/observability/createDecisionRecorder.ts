import { randomUUID } from 'node:crypto';
import type winston from 'winston';
import type { DecisionEventPublisher, DecisionRecord, DecisionRecorder } from '../../app/ports';
import { UNKNOWN_SERVICE } from '../../domain/planNotification';
import { hasUnverifiedServiceName } from '../../domain/unverifiedName';
import type { Decision } from '../../domain/types';
import type { Metrics } from './metrics';
import type { RecentDecisions } from './createRecentDecisions';

export interface RecorderDeps {
  logger: winston.Logger;
  metrics: Metrics;
  recent: RecentDecisions;
  events?: DecisionEventPublisher;
  now: () => number;
}

/** One log line, metrics, an event and a recent-list entry for every decision, whatever its outcome. */
export function createDecisionRecorder(deps: RecorderDeps): DecisionRecorder {
  return {
    async record(decision: Decision, receivedAt?: string): Promise<void> {
      const level = decision.outcome === 'error' ? 'error' : 'info';
      deps.logger.log(level, decision.reason, { event: 'decision', ...decision });
      const serviceLabel = hasUnverifiedServiceName(decision.outcome) ? UNKNOWN_SERVICE : decision.service;
      deps.metrics.decisions.inc({ service: serviceLabel, action: decision.action, outcome: decision.outcome });
      if (decision.outcome === 'scaled' && decision.direction && decision.to !== undefined) {
        deps.metrics.scaleEvents.inc({ service: decision.service, direction: decision.direction });
        deps.metrics.serviceReplicas.set({ service: decision.service }, decision.to);
      }
      if (receivedAt) {
        const seconds = (deps.now() - Date.parse(receivedAt)) / 1000;
        if (Number.isFinite(seconds) && seconds >= 0) deps.metrics.decisionDuration.observe(seconds);
      }
      const record: DecisionRecord = { ...decision, id: randomUUID(), ...(receivedAt ? { receivedAt } : {}) };
      deps.recent.add(record);
      if (deps.events) {
        await deps.events.publish(record).catch((error: Error) => {
          deps.logger.warn(`decision event not published: ${error.message}`, { event: 'event_publish_failed', service: decision.service });
        });
      }
    },
  };
}
