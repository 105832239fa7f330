import { checkAlertContract } from '../../../src/domain/alertContract';
import { parseDuration } from '../../../src/domain/parseDuration';
import { parsePolicy } from '../../../src/domain/parsePolicy';
import { parseStep, resolveStep } from '../../../src/domain/parseStep';

describe('parseDuration', () => {
  test.each([
    ['30s', 30_000],
    ['5m', 300_000],
    ['1h30m', 5_400_000],
    ['0', 0],
    ['0s', 0],
    ['250ms', 250],
    ['1d', 86_400_000],
  ])('when "%s", then %d ms', (text, ms) => expect(parseDuration(text)).toBe(ms));

  test.each(['', '30', '5 m', '1m1h', '-5s', '1.5m', 'soon', '30S'])('when "%s", then it is refused', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });
});

describe('parseStep', () => {
  test.each([
    ['2', { kind: 'count', value: 2 }],
    ['50%', { kind: 'percent', value: 50 }],
  ])('when "%s", then %o', (text, step) => expect(parseStep(text)).toEqual(step));

  test.each(['0', '-1', '1.5', '0%', 'x', '50 %', ''])('when "%s", then it is refused', (text) => expect(parseStep(text)).toBeUndefined());

  test('when 50% of 3 replicas, then 2 (rounded up)', () => expect(resolveStep({ kind: 'percent', value: 50 }, 3)).toBe(2));
  test('when 10% of 0 replicas, then still 1', () => expect(resolveStep({ kind: 'percent', value: 10 }, 0)).toBe(1));
});

describe('parsePolicy', () => {
  const base = { 'alertscale.enabled': 'true', 'alertscale.max': '10' };

  test('when only max is set, then the documented defaults apply', () => {
    expect(parsePolicy(base, 100)).toEqual({
      ok: true,
      policy: {
        min: 1,
        max: 10,
        stepUp: { kind: 'count', value: 1 },
        stepDown: { kind: 'count', value: 1 },
        cooldownUpMs: 60_000,
        cooldownDownMs: 300_000,
        paused: false,
      },
    });
  });

  test('when step is set, then step.up and step.down override it separately', () => {
    const result = parsePolicy({ ...base, 'alertscale.step': '2', 'alertscale.step.down': '25%' }, 100);
    expect(result.ok && result.policy.stepUp).toEqual({ kind: 'count', value: 2 });
    expect(result.ok && result.policy.stepDown).toEqual({ kind: 'percent', value: 25 });
  });

  test('when max is above the ceiling, then the ceiling caps it', () => {
    const result = parsePolicy({ ...base, 'alertscale.max': '500' }, 100);
    expect(result.ok && result.policy.max).toBe(100);
  });

  test.each([
    [{ 'alertscale.max': '' }, /alertscale.max="" must be a whole number/],
    [{ 'alertscale.max': '0' }, /alertscale.max="0" must be at least 1/],
    [{ 'alertscale.min': '-1' }, /alertscale.min="-1"/],
    [{ 'alertscale.min': '2.5' }, /alertscale.min="2.5"/],
    [{ 'alertscale.cooldown.up': '10' }, /alertscale.cooldown.up="10" must be a Prometheus duration/],
    [{ 'alertscale.cooldown.down': '5 minutes' }, /alertscale.cooldown.down="5 minutes"/],
    [{ 'alertscale.step': '0' }, /alertscale.step="0"/],
    [{ 'alertscale.paused': 'yes' }, /alertscale.paused="yes" must be "true" or "false"/],
    [{ 'alertscale.min': '200', 'alertscale.max': '300' }, /above the global ceiling MAX_REPLICAS_CEILING=100/],
  ])('when %o, then invalid_policy names the label', (labels, reason) => {
    const result = parsePolicy({ ...base, ...labels }, 100);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(reason);
  });
});

describe('checkAlertContract', () => {
  test('when scale_service is absent, then the alert is not for alertscale', () => {
    expect(checkAlertContract({ alertname: 'DiskFull' }, {})).toEqual({ kind: 'unlabelled' });
  });

  test('when up with scale_step, then the step is read', () => {
    expect(checkAlertContract({ scale_service: 'shop_api', scale_action: 'up', scale_step: '3' }, {})).toEqual({ kind: 'valid', service: 'shop_api', action: 'up', step: 3 });
  });

  test('when to with scale_replicas "6.5", then the target is 6.5 (rounded up later)', () => {
    expect(checkAlertContract({ scale_service: 'shop_api', scale_action: 'to' }, { scale_replicas: '6.5' })).toEqual({
      kind: 'valid',
      service: 'shop_api',
      action: 'to',
      target: 6.5,
    });
  });

  test.each([
    [{ scale_service: '../../etc', scale_action: 'up' }, {}, /scale_service="..\/..\/etc" is not a Swarm service name/],
    [{ scale_service: 'a?b=c', scale_action: 'up' }, {}, /scale_service/],
    [{ scale_service: '', scale_action: 'up' }, {}, /scale_service=""/],
    [{ scale_service: 'shop_api', scale_action: 'sideways' }, {}, /scale_action="sideways" must be up, down or to/],
    [{ scale_service: 'shop_api' }, {}, /scale_action="" must be/],
    [{ scale_service: 'shop_api', scale_action: 'up', scale_step: '-2' }, {}, /scale_step="-2"/],
    [{ scale_service: 'shop_api', scale_action: 'up', scale_step: '1.5' }, {}, /scale_step="1.5"/],
    [{ scale_service: 'shop_api', scale_action: 'up', scale_step: '99999999' }, {}, /scale_step/],
    [{ scale_service: 'shop_api', scale_action: 'to' }, {}, /annotation scale_replicas="" must be a number/],
    [{ scale_service: 'shop_api', scale_action: 'to' }, { scale_replicas: 'NaN' }, /scale_replicas="NaN"/],
    [{ scale_service: 'shop_api', scale_action: 'to' }, { scale_replicas: '-3' }, /scale_replicas="-3"/],
    [{ scale_service: 'shop_api', scale_action: 'to' }, { scale_replicas: '+Inf' }, /scale_replicas="\+Inf"/],
    [{ scale_service: 'shop_api', scale_action: 'to' }, { scale_replicas: '1e12' }, /scale_replicas="1e12"/],
  ])('when labels %o and annotations %o, then invalid_alert names what is wrong', (labels, annotations, reason) => {
    const result = checkAlertContract(labels, annotations);
    expect(result.kind).toBe('invalid');
    if (result.kind === 'invalid') expect(result.reason).toMatch(reason);
  });
});

describe('checkAlertContract, number formats', () => {
  test.each(['7', '6.5', '1e+06', '0'])('when scale_replicas is "%s" (as Prometheus renders it), then it is accepted', (value) => {
    expect(checkAlertContract({ scale_service: 's', scale_action: 'to' }, { scale_replicas: value }).kind).toBe('valid');
  });
  test.each(['0x10', ' 7', '7 ', '1_000', 'Infinity', '.5'])('when scale_replicas is "%s", then it is refused', (value) => {
    expect(checkAlertContract({ scale_service: 's', scale_action: 'to' }, { scale_replicas: value }).kind).toBe('invalid');
  });
});
