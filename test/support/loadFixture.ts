import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Payloads recorded from a real Alertmanager 0.25 (see test/fixtures/alertmanager/README.md). */
export type FixtureName = 'firing-one-alert' | 'firing-two-alerts-same-service' | 'firing-scale-to-truncated' | 'resolved-one-alert';

export function loadFixture(name: FixtureName): Record<string, any> {
  return JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'alertmanager', `${name}.json`), 'utf8'));
}

/** A recorded payload re-aimed at another service, for tests that scale services they made. */
export function fixtureFor(name: FixtureName, service: string, labelOverrides: Record<string, string> = {}): Record<string, any> {
  const payload = loadFixture(name);
  for (const alert of payload.alerts) Object.assign(alert.labels, { scale_service: service, ...labelOverrides });
  payload.groupLabels.scale_service = service;
  payload.commonLabels.scale_service = service;
  payload.groupKey = String(payload.groupKey).replace(/scale_service="[^"]*"/, `scale_service="${service}"`);
  return payload;
}
