import { findClosestName } from '../../../src/domain/findClosestName';

const LABELS = ['alertscale.enabled', 'alertscale.min', 'alertscale.max', 'alertscale.paused', 'alertscale.cooldown.up', 'alertscale.cooldown.down'];

describe('findClosestName', () => {
  test.each([
    // a dropped letter
    ['alertscale.pausd', LABELS, 'alertscale.paused'],
    // a doubled letter
    ['alertscale.maxx', LABELS, 'alertscale.max'],
    // an umbrella guessed from alertscale.step: the longer labels contain it
    ['alertscale.cooldown', LABELS, 'alertscale.cooldown.up'],
    // a stack's namespace prefix in front of the service name
    ['shop_api', ['nc_shop_api', 'nc_web'], 'nc_shop_api'],
    // swapped letters
    ['wrokers', ['workers', 'web'], 'workers'],
  ])('when the name is %s, then the closest candidate is suggested', (word, candidates, expected) => {
    expect(findClosestName(word, candidates)).toBe(expected);
  });

  test('when nothing is close, then no hint is given', () => {
    expect(findClosestName('alertscale.colour', ['alertscale.enabled', 'alertscale.min'])).toBeUndefined();
    expect(findClosestName('billing', ['nc_shop_api', 'web'])).toBeUndefined();
  });
});
