import type { ScaleAlertState, ScaleAlertView, SilenceView } from '../../app/ports';

/** The fields of Alertmanager's API v2 alert (GET /api/v2/alerts) that alertscale reads. */
export interface AlertmanagerAlert {
  labels?: Record<string, string>;
  fingerprint?: string;
  startsAt?: string;
  status?: { state?: string; silencedBy?: string[] | null; inhibitedBy?: string[] | null };
}

function readState(alert: AlertmanagerAlert): ScaleAlertState {
  if ((alert.status?.silencedBy ?? []).length > 0) return 'silenced';
  if ((alert.status?.inhibitedBy ?? []).length > 0) return 'inhibited';
  return alert.status?.state === 'unprocessed' ? 'unprocessed' : 'active';
}

/**
 * Translates Alertmanager's alerts for one service. Silence ids become the silences
 * found (an expired or unknown one keeps just its id); an inhibiting alert is named
 * by its alertname when it is among these alerts.
 */
export function toScaleAlertViews(alerts: AlertmanagerAlert[], silences: ReadonlyMap<string, SilenceView>): ScaleAlertView[] {
  const nameByFingerprint = new Map(alerts.map((alert) => [alert.fingerprint ?? '', alert.labels?.alertname ?? '(unnamed alert)']));
  return alerts.map((alert) => ({
    alertname: alert.labels?.alertname ?? '(unnamed alert)',
    ...(alert.labels?.scale_action !== undefined ? { action: alert.labels.scale_action } : {}),
    fingerprint: alert.fingerprint ?? '',
    state: readState(alert),
    ...(alert.startsAt ? { startsAt: alert.startsAt } : {}),
    silencedBy: (alert.status?.silencedBy ?? []).map((id) => silences.get(id) ?? { id }),
    inhibitedBy: (alert.status?.inhibitedBy ?? []).map((fingerprint) => nameByFingerprint.get(fingerprint) ?? fingerprint),
  }));
}
