import type { ActiveAlertSource, ScaleAlertSource, SilenceView } from '../../app/ports';
import { ALERT_LABEL } from '../../domain/alertContract';
import { toScaleAlertViews, type AlertmanagerAlert } from './toScaleAlertViews';

/** More silences than this on one service are listed by id only: one request per silence stays bounded. */
const MAX_SILENCES_LOOKED_UP = 5;
/** Every state an alert can be in: what "why didn't it scale?" needs to see. */
const EVERY_STATE = { active: 'true', silenced: 'true', inhibited: 'true', unprocessed: 'true' };

/** The base URL as shown to API readers: never with a user or password in it. */
function withoutCredentials(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    return parsed.toString().replace(/\/+$/, '');
  } catch {
    return '(invalid URL)';
  }
}

/** Reads alerts and silences from Alertmanager's API v2. */
export function createAlertmanagerClient(baseUrl: string, timeoutMs = 2000): ActiveAlertSource & ScaleAlertSource {
  const root = baseUrl.replace(/\/+$/, '');

  async function getJson<T>(path: string): Promise<T> {
    const response = await fetch(`${root}${path}`, { signal: AbortSignal.timeout(timeoutMs) });
    if (!response.ok) throw new Error(`Alertmanager answered HTTP ${response.status}`);
    return (await response.json()) as T;
  }

  function alertsQuery(service: string, flags: Record<string, string>, extraFilter?: string): string {
    const query = new URLSearchParams(flags);
    // The name matched SERVICE_NAME (no quotes, no backslashes), so it is safe inside a matcher.
    query.append('filter', `${ALERT_LABEL.service}="${service}"`);
    if (extraFilter) query.append('filter', extraFilter);
    return `/api/v2/alerts?${query.toString()}`;
  }

  async function findSilence(id: string): Promise<SilenceView> {
    const silence = await getJson<{ id?: string; createdBy?: string; comment?: string; endsAt?: string }>(`/api/v2/silence/${encodeURIComponent(id)}`).catch(() => undefined);
    if (!silence) return { id };
    return {
      id,
      ...(silence.createdBy ? { createdBy: silence.createdBy } : {}),
      ...(silence.comment ? { comment: silence.comment } : {}),
      ...(silence.endsAt ? { endsAt: silence.endsAt } : {}),
    };
  }

  return {
    url: withoutCredentials(root),

    // A firing `to` asks for capacity too (the shipped proportional rule only fires to ask for more).
    async findActiveUpAlerts(service: string): Promise<string[]> {
      const alerts = await getJson<AlertmanagerAlert[]>(
        alertsQuery(service, { active: 'true', silenced: 'false', inhibited: 'false', unprocessed: 'false' }, `${ALERT_LABEL.action}=~"up|to"`),
      );
      return alerts.filter((alert) => alert.status?.state === 'active').map((alert) => alert.labels?.alertname ?? '(unnamed alert)');
    },

    async listScaleAlerts(service: string): Promise<ReturnType<typeof toScaleAlertViews>> {
      const alerts = await getJson<AlertmanagerAlert[]>(alertsQuery(service, EVERY_STATE));
      const silenceIds = [...new Set(alerts.flatMap((alert) => alert.status?.silencedBy ?? []))].slice(0, MAX_SILENCES_LOOKED_UP);
      const silences = new Map((await Promise.all(silenceIds.map(findSilence))).map((silence) => [silence.id, silence]));
      return toScaleAlertViews(alerts, silences);
    },

    async listAllScaleAlerts(): Promise<Record<string, ReturnType<typeof toScaleAlertViews>>> {
      const query = new URLSearchParams(EVERY_STATE);
      query.append('filter', `${ALERT_LABEL.service}=~".+"`);
      const alerts = await getJson<AlertmanagerAlert[]>(`/api/v2/alerts?${query.toString()}`);
      const byService: Record<string, AlertmanagerAlert[]> = {};
      for (const alert of alerts) {
        const service = alert.labels?.[ALERT_LABEL.service];
        if (service !== undefined) (byService[service] ??= []).push(alert);
      }
      // Silences are named by id only here: one request for the page, not one per silence.
      return Object.fromEntries(Object.entries(byService).map(([service, list]) => [service, toScaleAlertViews(list, new Map())]));
    },
  };
}
