import { createAlertmanagerClient } from '../../../src/adapters/alertmanager/createAlertmanagerClient';
import { toScaleAlertViews } from '../../../src/adapters/alertmanager/toScaleAlertViews';
import { explainScaleAlerts } from '../../../src/app/explainScaleAlerts';
import type { ScaleAlertView } from '../../../src/app/ports';

const alert = (name: string, fingerprint: string, status: Record<string, unknown>) => ({
  labels: { alertname: name, scale_service: 'shop_api', scale_action: 'up' },
  fingerprint,
  startsAt: '2026-12-01T09:00:00Z',
  status,
});

describe('toScaleAlertViews', () => {
  test.each([
    // Not muted: sent to alertscale.
    [{ state: 'active', silencedBy: [], inhibitedBy: [] }, 'active'],
    // A silence mutes it, whatever else does.
    [{ state: 'suppressed', silencedBy: ['s1'], inhibitedBy: ['f2'] }, 'silenced'],
    // Only an inhibit rule mutes it.
    [{ state: 'suppressed', silencedBy: [], inhibitedBy: ['f2'] }, 'inhibited'],
    // Alertmanager has not routed it yet.
    [{ state: 'unprocessed', silencedBy: null, inhibitedBy: null }, 'unprocessed'],
  ])('when the status is %j, then the state is %s', (status, state) => {
    expect(toScaleAlertViews([alert('A', 'f1', status)], new Map())[0]?.state).toBe(state);
  });

  test('when silences were looked up and an inhibitor is among the alerts, then both are named; unknown ones keep their ids', () => {
    const [muted] = toScaleAlertViews(
      [alert('IdleCapacity', 'f1', { state: 'suppressed', silencedBy: ['s1', 's2'], inhibitedBy: ['f2', 'f9'] }), alert('LatencyHigh', 'f2', { state: 'active' })],
      new Map([['s1', { id: 's1', comment: 'maintenance', endsAt: '2026-12-01T12:00:00Z' }]]),
    );
    expect(muted).toMatchObject({ silencedBy: [{ id: 's1', comment: 'maintenance' }, { id: 's2' }], inhibitedBy: ['LatencyHigh', 'f9'], action: 'up' });
  });
});

describe('explainScaleAlerts', () => {
  const view = (alertname: string, state: ScaleAlertView['state'], extra: Partial<ScaleAlertView> = {}): ScaleAlertView => ({
    alertname,
    fingerprint: alertname,
    state,
    startsAt: '2026-12-01T09:00:00.000Z',
    silencedBy: [],
    inhibitedBy: [],
    ...extra,
  });
  const nowMs = Date.parse('2026-12-01T10:00:00Z');

  test.each([
    // Nothing in Alertmanager: nothing to say.
    [[], '2026-12-01T09:59:00Z', []],
    // Active and notified a minute ago: nothing stops decisions.
    [[view('LatencyHigh', 'active')], '2026-12-01T09:59:00Z', []],
    // Active, last notified 50 min ago: the repeat_interval explains the silence.
    [[view('LatencyHigh', 'active')], '2026-12-01T09:10:00Z', [/repeat_interval/]],
    // Active but never notified here: the route is the suspect.
    [[view('LatencyHigh', 'active')], undefined, [/check that the Alertmanager route/]],
    // Silenced: named with the silence, how to lift it.
    [[view('CpuHigh', 'silenced', { silencedBy: [{ id: 's1', comment: 'load test' }] })], undefined, [/silenced: CpuHigh \(silence s1 \("load test"\)\).*amtool silence expire/]],
    // Inhibited by an up: capacity first.
    [[view('IdleCapacity', 'inhibited', { inhibitedBy: ['LatencyHigh'] })], undefined, [/inhibited: IdleCapacity \(by LatencyHigh\)/]],
  ])('when the alerts are %j and the last notification %s, then the notes match %p', (alerts, last, expected) => {
    const explained = explainScaleAlerts('http://am:9093', alerts, last, nowMs);
    expect(explained.notes).toHaveLength(expected.length);
    expected.forEach((pattern, index) => expect(explained.notes[index]).toMatch(pattern));
  });
});

describe('createAlertmanagerClient', () => {
  test('when ALERTMANAGER_URL carries a user and password, then the URL it shows has neither', () => {
    expect(createAlertmanagerClient('http://ops:s3cret@alertmanager:9093/').url).toBe('http://alertmanager:9093');
  });
});
