/**
 * Label abuse against the real Swarm: services that are not opted in or carry
 * malformed policy labels, and alerts whose labels break the contract (service
 * names with path and query characters, steps and targets that are negative,
 * huge, fractional or not numbers). Each is refused with a reason that names
 * the label, answered 2xx (Alertmanager must not retry a "no"), and changes
 * nothing: the services' Version.Index does not move.
 */
import type { NotificationResult } from '../../src/app/handleNotification';
import type { Decision } from '../../src/domain/types';
import { histogram, reportResult } from './support/report';
import { docker, inspectService, uniqueName } from '../../harness/docker';
import { post, uniqueNotification, firstAlert } from '../../harness/notifications';
import { createParkedService } from '../../harness/swarmServices';
import { useTestServices } from '../support/useTestServices';
import { useAlertscale } from '../support/useAlertscale';

jest.setTimeout(120_000);

const PREFIX = 'asrel-labels';
const TOKEN = 'reliability-label-abuse-token';
const services = useTestServices(PREFIX);
const created = services.names;
const alertscale = useAlertscale({ WEBHOOK_TOKEN: TOKEN });

const OK = { 'alertscale.enabled': 'true', 'alertscale.max': '5', 'alertscale.cooldown.up': '0s', 'alertscale.cooldown.down': '0s' };
/** [what, labels, expected outcome, text the reason must contain] */
const POLICY_CASES: Array<[string, Record<string, string>, string, string]> = [
  ['no alertscale labels at all', {}, 'not_enabled', 'alertscale.enabled=true'],
  ['enabled=yes', { ...OK, 'alertscale.enabled': 'yes' }, 'not_enabled', 'alertscale.enabled=true'],
  ['enabled=TRUE', { ...OK, 'alertscale.enabled': 'TRUE' }, 'not_enabled', 'alertscale.enabled=true'],
  ['no max', { 'alertscale.enabled': 'true' }, 'invalid_policy', 'alertscale.max is required'],
  ['max negative', { ...OK, 'alertscale.max': '-3' }, 'invalid_policy', 'alertscale.max="-3"'],
  ['max huge', { ...OK, 'alertscale.max': '99999999' }, 'invalid_policy', 'alertscale.max="99999999"'],
  ['max fractional', { ...OK, 'alertscale.max': '2.5' }, 'invalid_policy', 'alertscale.max="2.5"'],
  ['max exponent', { ...OK, 'alertscale.max': '1e3' }, 'invalid_policy', 'alertscale.max="1e3"'],
  ['max not a number', { ...OK, 'alertscale.max': 'ten' }, 'invalid_policy', 'alertscale.max="ten"'],
  ['max empty', { ...OK, 'alertscale.max': '' }, 'invalid_policy', 'alertscale.max=""'],
  ['max zero', { ...OK, 'alertscale.max': '0' }, 'invalid_policy', 'alertscale.max="0"'],
  ['min negative', { ...OK, 'alertscale.min': '-1' }, 'invalid_policy', 'alertscale.min="-1"'],
  ['min fractional', { ...OK, 'alertscale.min': '0.5' }, 'invalid_policy', 'alertscale.min="0.5"'],
  ['min above max', { ...OK, 'alertscale.min': '6' }, 'invalid_policy', 'alertscale.min=6 is above alertscale.max=5'],
  ['step negative', { ...OK, 'alertscale.step': '-1' }, 'invalid_policy', 'alertscale.step="-1"'],
  ['step zero', { ...OK, 'alertscale.step': '0' }, 'invalid_policy', 'alertscale.step="0"'],
  ['step fractional', { ...OK, 'alertscale.step.up': '1.5' }, 'invalid_policy', 'alertscale.step.up="1.5"'],
  ['step huge percent', { ...OK, 'alertscale.step.down': '100000%' }, 'invalid_policy', 'alertscale.step.down="100000%"'],
  ['cooldown negative', { ...OK, 'alertscale.cooldown.up': '-5s' }, 'invalid_policy', 'alertscale.cooldown.up="-5s"'],
  ['cooldown not a duration', { ...OK, 'alertscale.cooldown.down': 'soon' }, 'invalid_policy', 'alertscale.cooldown.down="soon"'],
  ['paused=yes', { ...OK, 'alertscale.paused': 'yes' }, 'invalid_policy', 'alertscale.paused="yes"'],
];

async function decide(payload: Record<string, any>): Promise<Decision> {
  const answer = await post(alertscale().url, TOKEN, payload);
  expect(answer.status).toBe(202);
  const decisions = (answer.body as NotificationResult).decisions;
  expect(decisions).toHaveLength(1);
  return decisions[0] as Decision;
}

describe('label abuse on the real Swarm', () => {
  test('when services are not opted in or carry malformed policy labels, then every action is refused with the label named and no service changes', async () => {
    const services = POLICY_CASES.map(([what, labels, outcome, reason]) => ({ what, labels, outcome, reason, name: uniqueName(PREFIX) }));
    created.push(...services.map((service) => service.name));
    await Promise.all(services.map((service) => createParkedService(service.name, service.labels, 2)));
    const before = await Promise.all(services.map((service) => inspectService(service.name)));
    const mismatches: string[] = [];
    const outcomes: string[] = [];
    for (const service of services) {
      for (const action of ['up', 'down', 'to'] as const) {
        const decision = await decide(uniqueNotification(service.name, action, action === 'to' ? { replicas: '4' } : {}));
        outcomes.push(decision.outcome);
        if (decision.outcome !== service.outcome || !decision.reason.includes(service.reason)) {
          mismatches.push(`${service.what} / ${action}: ${decision.outcome}: ${decision.reason}`);
        }
      }
    }
    const after = await Promise.all(services.map((service) => inspectService(service.name)));
    const changed = services.filter((_, index) => after[index]!.version !== before[index]!.version).map((service) => service.what);
    reportResult({
      fault: 'policy-label-abuse-real-swarm',
      injected: `${services.length} services: not opted in (3 ways), and max/min/step/cooldown/paused negative, huge, fractional, exponent, empty, not a number`,
      load: `${outcomes.length} notifications (up, down, to for each)`,
      lost: 0,
      wronglyChanged: changed.length,
      figures: { outcomes: histogram(outcomes), reasonMismatches: mismatches.length },
    });
    expect(mismatches).toEqual([]);
    expect(changed).toEqual([]);
  });

  test('when alert labels break the contract (names with path or query characters, steps and targets negative, huge, fractional or not numbers), then each is refused as invalid_alert or not_found with the reason, and nothing changes', async () => {
    const target = uniqueName(PREFIX);
    created.push(target);
    await createParkedService(target, OK, 2);
    const info = await docker.getService(target).inspect();
    const idPrefix = String(info.ID).slice(0, 12);
    const before = await inspectService(target);

    const cases: Array<[string, Record<string, any>, string, RegExp]> = [];
    for (const step of ['-1', '0', '1.5', '1e3', 'abc', '9999999', ' 2', '２', '']) {
      cases.push([`scale_step="${step}"`, uniqueNotification(target, 'up', { step }), 'invalid_alert', /label scale_step="[\s\S]*" must be a positive whole number/]);
    }
    for (const replicas of ['-1', '1e9', '1000001', 'NaN', 'Infinity', '', ' ', 'abc', '5 replicas']) {
      cases.push([
        `scale_replicas="${replicas}"`,
        uniqueNotification(target, 'to', { replicas }),
        'invalid_alert',
        /annotation scale_replicas="[\s\S]*" must be a number of replicas from 0 to 1000000/,
      ]);
    }
    for (const action of ['sideways', 'UP', '', 'up ']) {
      const payload = uniqueNotification(target, 'up');
      firstAlert(payload).labels.scale_action = action;
      cases.push([`scale_action="${action}"`, payload, 'invalid_alert', /label scale_action="[\s\S]*" must be up, down or to/]);
    }
    for (const name of [
      `../${target}`,
      `${target}?force=1`,
      `${target}/update`,
      `${target}%2Fupdate`,
      `${target}#x`,
      ` ${target}`,
      `${target}\n`,
      `${target}/../../containers/json`,
      'x'.repeat(64),
      '',
    ]) {
      cases.push([`scale_service=${JSON.stringify(name)}`, uniqueNotification(name, 'up'), 'invalid_alert', /label scale_service="[\s\S]*" is not a Swarm service name/]);
    }
    // Names Docker itself would resolve to the service (an ID prefix, another case): only an exact name counts.
    for (const name of [idPrefix, String(info.ID), target.toUpperCase()]) {
      cases.push([`scale_service=${name} (ID or case variant)`, uniqueNotification(name, 'up'), 'not_found', /not_found: no Swarm service named/]);
    }

    const mismatches: string[] = [];
    const outcomes: string[] = [];
    for (const [what, payload, outcome, reason] of cases) {
      const decision = await decide(payload);
      outcomes.push(decision.outcome);
      if (decision.outcome !== outcome || !reason.test(decision.reason)) mismatches.push(`${what}: ${decision.outcome}: ${decision.reason}`);
    }
    const after = await inspectService(target);
    const api = await fetch(`${alertscale().url}/api/v1/services/${encodeURIComponent(`../../containers/json`)}`);
    const byPrefix = (await (await fetch(`${alertscale().url}/api/v1/services/${idPrefix}`)).json()) as { name: string; exists?: boolean; replicas?: number };

    // In the contract but huge: clamped to the service's bounds, never beyond.
    const control = uniqueName(PREFIX);
    created.push(control);
    await createParkedService(control, OK, 2);
    const hugeStep = await decide(uniqueNotification(control, 'up', { step: '999999' }));
    const hugeTarget = await decide(uniqueNotification(control, 'to', { replicas: '1000000' }));
    const fractional = await decide(uniqueNotification(control, 'to', { replicas: '2.1' }));
    const controlAfter = await inspectService(control);
    reportResult({
      fault: 'alert-label-abuse-real-swarm',
      injected: `${cases.length} contract-breaking alerts: 9 bad steps, 9 bad targets, 4 bad actions, 10 names with path/query/control characters, 3 ID/case variants of a real service`,
      load: `one opted-in service (max 5); then step 999999, target 1000000 and 2.1 on a control service`,
      lost: 0,
      wronglyChanged: (after.version === before.version ? 0 : 1) + (controlAfter.replicas > 5 ? 1 : 0),
      figures: {
        outcomes: histogram(outcomes),
        reasonMismatches: mismatches.length,
        inContractHuge: `step 999999 → ${hugeStep.outcome} to 5; target 1e6 → ${hugeTarget.outcome}; target 2.1 → ${fractional.outcome} to 3`,
      },
    });
    expect(mismatches).toEqual([]);
    expect(after.version).toBe(before.version);
    expect(api.status).toBe(404);
    expect(byPrefix.exists).toBe(false);
    expect(byPrefix.name).toBe(idPrefix);
    expect(hugeStep).toMatchObject({ outcome: 'scaled' });
    expect(hugeTarget).toMatchObject({ outcome: 'at_bound' });
    expect(fractional).toMatchObject({ outcome: 'scaled' });
    expect(controlAfter.replicas).toBe(3);
  });
});
