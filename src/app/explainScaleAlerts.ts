import type { ScaleAlertView } from './ports';

/** A last notification older than this, while an alert is active, is worth a word about repeat_interval. */
const QUIET_AFTER_MS = 10 * 60_000;

export interface AlertmanagerView {
  url: string;
  active: ScaleAlertView[];
  silenced: ScaleAlertView[];
  inhibited: ScaleAlertView[];
  unprocessed: ScaleAlertView[];
  /** What stops decisions before they reach alertscale, in words. */
  notes: string[];
}

const names = (alerts: ScaleAlertView[]) => alerts.map((alert) => alert.alertname).join(', ');

/** Groups a service's alerts by what Alertmanager does with them and says what that means for scaling. */
export function explainScaleAlerts(url: string, alerts: ScaleAlertView[], lastNotificationAt: string | undefined, nowMs: number): AlertmanagerView {
  const by = (state: ScaleAlertView['state']) => alerts.filter((alert) => alert.state === state);
  const view = { url, active: by('active'), silenced: by('silenced'), inhibited: by('inhibited'), unprocessed: by('unprocessed') };
  const notes: string[] = [];
  if (view.silenced.length > 0) {
    const silences = [...new Map(view.silenced.flatMap((alert) => alert.silencedBy).map((silence) => [silence.id, silence])).values()];
    const described = silences.map((silence) => `${silence.id}${silence.endsAt ? ` until ${silence.endsAt}` : ''}${silence.comment ? ` ("${silence.comment}")` : ''}`);
    notes.push(
      `silenced: ${names(view.silenced)} (silence ${described.join('; ')}); Alertmanager sends silenced alerts to no receiver, so alertscale decides nothing for them until the silence expires (amtool silence expire <id>)`,
    );
  }
  if (view.inhibited.length > 0) {
    notes.push(
      `inhibited: ${names(view.inhibited)} (by ${[...new Set(view.inhibited.flatMap((alert) => alert.inhibitedBy))].join(', ')}); an inhibit rule holds them back while the inhibiting alert fires (capacity first: an up inhibits a down)`,
    );
  }
  if (view.active.length > 0) {
    const lastMs = lastNotificationAt === undefined ? Number.NaN : Date.parse(lastNotificationAt);
    const startedMs = Math.max(...view.active.map((alert) => Date.parse(alert.startsAt ?? '') || 0));
    if (Number.isNaN(lastMs)) {
      notes.push(
        `active: ${names(view.active)}, but this service has no notification in alertscale's recent history; check that the Alertmanager route sends these alerts to the alertscale receiver (group_wait delays the first one)`,
      );
    } else if (nowMs - lastMs > QUIET_AFTER_MS && lastMs >= startedMs) {
      notes.push(
        `active: ${names(view.active)}; the last notification arrived at ${lastNotificationAt}: Alertmanager sends a group that keeps firing again only every repeat_interval (4h by default), so a decision held back by a cooldown waits for that repeat`,
      );
    }
  }
  return { ...view, notes };
}
