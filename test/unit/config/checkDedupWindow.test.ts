import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkDedupWindow, SHIPPED_SCALE_ROUTE } from '../../../src/config/checkDedupWindow';
import { loadConfig } from '../../../src/config/loadConfig';
import { readScaleRoutes } from '../../../src/adapters/alertmanager/readScaleRoutes';

const route = { route: 'the route {scale_service=~".+"} → alertscale', groupIntervalMs: 60_000, repeatIntervalMs: 180_000 };

describe('checkDedupWindow: group_interval <= DEDUP_WINDOW < repeat_interval', () => {
  test.each([
    // At group_interval: a retry Alertmanager still makes is recognised.
    [60_000, []],
    // Inside the bounds.
    [120_000, []],
    // Shorter than group_interval: a late retry would be applied a second time.
    [30_000, [/^DEDUP_WINDOW \(30s\) is shorter than group_interval \(1m\) of the route \{scale_service=~"\.\+"\} → alertscale: .*raise DEDUP_WINDOW to at least 1m$/]],
    // At repeat_interval: each repeat (the next step) would be a duplicate.
    [180_000, [/^DEDUP_WINDOW \(3m\) is not shorter than repeat_interval \(3m\) .*step scaling stalls/]],
    // Above it: the same.
    [600_000, [/^DEDUP_WINDOW \(10m\) is not shorter than repeat_interval/]],
  ])('when DEDUP_WINDOW is %d ms against 1m / 3m, then the warnings are %p', (windowMs, expected) => {
    const warnings = checkDedupWindow(windowMs, [route]);
    expect(warnings).toHaveLength(expected.length);
    expected.forEach((pattern, index) => expect(warnings[index]).toMatch(pattern));
  });

  test('when Alertmanager runs as an HA cluster, then each further peer adds its peer timeout to the lower bound', () => {
    // 3 peers: the third may send 2 × 15 s later and retry for group_interval from then.
    expect(checkDedupWindow(80_000, [route], 3)).toEqual([
      expect.stringMatching(/^DEDUP_WINDOW \(1m20s\) is shorter than group_interval \(1m\) plus 2 × the 15s peer timeout of its HA cluster \(3 peers\) .*at least 1m30s$/),
    ]);
    expect(checkDedupWindow(120_000, [route], 3)).toEqual([]);
  });

  test('when DEDUP_WINDOW keeps its default, then it fits the shipped route', () => {
    expect(checkDedupWindow(loadConfig({ WEBHOOK_TOKEN: 'a' }).DEDUP_WINDOW, [SHIPPED_SCALE_ROUTE])).toEqual([]);
  });
});

describe('readScaleRoutes', () => {
  test('when reading the shipped alertmanager.yml, then it finds the scale route with the timings the receiver assumes without ALERTMANAGER_URL', () => {
    const shipped = readFileSync(join(__dirname, '../../../alertmanager/alertmanager.yml'), 'utf8');
    expect(readScaleRoutes(shipped)).toEqual([
      { route: 'the route {scale_service=~".+"} → alertscale', groupIntervalMs: SHIPPED_SCALE_ROUTE.groupIntervalMs, repeatIntervalMs: SHIPPED_SCALE_ROUTE.repeatIntervalMs },
    ]);
  });

  test("when a scale route sets no timings, then it inherits its parent's, and the root falls back to Alertmanager's defaults (5m / 4h)", () => {
    const yaml = [
      'route:',
      '  receiver: people',
      '  routes:',
      '  - match_re: { scale_service: ".+" }',
      '    receiver: scaler',
      '  - matchers: [team="shop"]',
      '    group_interval: 30s',
      '    receiver: people',
      '    routes:',
      '    - matchers: [\'scale_service="shop_api"\']',
      '      receiver: scaler',
      '      repeat_interval: 10m',
      'receivers:',
      '- name: people',
      '- name: scaler',
      '  webhook_configs: [{ url: "http://alertscale:8080/webhook" }]',
    ].join('\n');
    expect(readScaleRoutes(yaml)).toEqual([
      { route: 'the route {scale_service=~".+"} → scaler', groupIntervalMs: 300_000, repeatIntervalMs: 4 * 3600_000 },
      { route: 'the route {team="shop", scale_service="shop_api"} → scaler', groupIntervalMs: 30_000, repeatIntervalMs: 600_000 },
    ]);
  });

  test('when a route matches scale_service only to exclude scale alerts, then it is not a scale route', () => {
    const yaml = [
      'route:',
      '  receiver: people',
      '  routes:',
      '  - matchers: [\'scale_service=""\']',
      '    receiver: hook',
      '  - matchers: [\'scale_service=~"shop_.+"\']',
      '    receiver: hook',
      'receivers:',
      '- name: people',
      '- name: hook',
      '  webhook_configs: [{ url: "http://alertscale:8080/webhook" }]',
    ].join('\n');
    expect(readScaleRoutes(yaml).map((found) => found.route)).toEqual(['the route {scale_service=~"shop_.+"} → hook']);
  });

  test('when no route matches on scale_service, then the routes to a /webhook receiver count, except one about an alertname (the Watchdog)', () => {
    const yaml = [
      'route:',
      '  receiver: scaler',
      '  group_interval: 2s',
      '  repeat_interval: 1h',
      '  routes:',
      '  - matchers: [\'alertname="Watchdog"\']',
      '    receiver: scaler',
      '    repeat_interval: 1m',
      'receivers:',
      '- name: scaler',
      '  webhook_configs: [{ url: "http://127.0.0.1:8080/webhook" }]',
    ].join('\n');
    expect(readScaleRoutes(yaml)).toEqual([{ route: 'the route (root) → scaler', groupIntervalMs: 2000, repeatIntervalMs: 3600_000 }]);
  });
});
