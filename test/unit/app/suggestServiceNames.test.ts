import { createServiceNameMatcher } from '../../../src/adapters/docker/createServiceNameMatcher';
import { suggestServiceNames } from '../../../src/app/suggestServiceNames';
import { pickClosestNames } from '../../../src/domain/pickClosestNames';
import { FakeSwarm } from '../../support/fakeSwarm';
import { aService } from '../../support/builders';

describe('service name suggestions', () => {
  test.each([
    // A stack deploy prefixes the stack name: the full name is suggested.
    ['shop_api', ['nc_shop_api', 'db', 'cache'], ['nc_shop_api']],
    // Several stacks: up to three, closest first.
    ['api', ['a_api', 'bb_api', 'ccc_api', 'dddd_api'], ['a_api', 'bb_api', 'ccc_api']],
    // A typo.
    ['shop_wroker', ['shop_worker', 'shop_api'], ['shop_worker']],
    // Nothing close: no hint rather than a wrong one.
    ['payments', ['shop_api', 'db'], []],
    // The name itself is never suggested.
    ['db', ['db'], []],
  ])('when %s is missing among %j, then %j', (name, candidates, expected) => {
    expect(pickClosestNames(name, candidates)).toEqual(expected);
  });

  test('when Docker cannot list services, then there is no hint and no error', async () => {
    const swarm = new FakeSwarm();
    swarm.add(aService({}, { name: 'nc_shop_api' }));
    expect(await suggestServiceNames('shop_api', swarm)).toBe('; closest existing service: "nc_shop_api"');
    swarm.outagesToInject = 1;
    expect(await suggestServiceNames('shop_api', swarm)).toBe('');
  });

  test("when many names are matched within the listing's lifetime, then the Swarm is listed once and a repeated name is answered from memory", async () => {
    let listings = 0;
    let nowMs = 0;
    const find = createServiceNameMatcher(async () => ((listings += 1), ['nc_shop_api']), { ttlMs: 5000, now: () => nowMs });
    expect(await find('shop_api')).toEqual(['nc_shop_api']);
    expect(await find('hop_api')).toEqual(['nc_shop_api']);
    expect(listings).toBe(1);
    nowMs = 6000;
    expect(await find('shop_api')).toEqual(['nc_shop_api']);
    expect(listings).toBe(2);
  });

  test('when more fresh names than the budget are asked for in a minute, then the rest get no hint until the next minute', async () => {
    let nowMs = 0;
    const find = createServiceNameMatcher(async () => ['nc_shop_api'], { perMinute: 2, now: () => nowMs });
    expect(await find('shop_api')).toEqual(['nc_shop_api']);
    expect(await find('hop_api')).toEqual(['nc_shop_api']);
    expect(await find('op_api')).toEqual([]);
    // A name already answered costs nothing.
    expect(await find('shop_api')).toEqual(['nc_shop_api']);
    nowMs = 60_000;
    expect(await find('op_api')).toEqual(['nc_shop_api']);
  });

  test('when listing the Swarm fails, then the next question lists it again', async () => {
    let fail = true;
    const find = createServiceNameMatcher(async () => {
      if (fail) throw new Error('docker down');
      return ['nc_shop_api'];
    });
    await expect(find('shop_api')).rejects.toThrow('docker down');
    fail = false;
    expect(await find('shop_api')).toEqual(['nc_shop_api']);
  });
});
