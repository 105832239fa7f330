import type { ActiveAlertSource } from '../../app/ports';
import { ALERT_LABEL } from '../../domain/alertContract';

interface AlertmanagerAlert {
  labels?: Record<string, string>;
  status?: { state?: string };
}

/** Reads active alerts from Alertmanager's API v2 (GET /api/v2/alerts). */
export function createAlertmanagerClient(baseUrl: string, timeoutMs = 2000): ActiveAlertSource {
  const root = baseUrl.replace(/\/+$/, '');
  return {
    // A firing `to` asks for capacity too (the shipped proportional rule only fires to ask for more).
    async findActiveUpAlerts(service: string): Promise<string[]> {
      const query = new URLSearchParams({ active: 'true', silenced: 'false', inhibited: 'false', unprocessed: 'false' });
      query.append('filter', `${ALERT_LABEL.service}="${service}"`);
      query.append('filter', `${ALERT_LABEL.action}=~"up|to"`);
      const response = await fetch(`${root}/api/v2/alerts?${query.toString()}`, { signal: AbortSignal.timeout(timeoutMs) });
      if (!response.ok) throw new Error(`Alertmanager answered HTTP ${response.status}`);
      const alerts = (await response.json()) as AlertmanagerAlert[];
      return alerts.filter((alert) => alert.status?.state === 'active').map((alert) => alert.labels?.alertname ?? '(unnamed alert)');
    },
  };
}
