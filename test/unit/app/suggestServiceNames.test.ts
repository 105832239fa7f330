import { pickClosestNames, suggestServiceNames } from '../../../src/app/suggestServiceNames';
import { FakeSwarm } from '../../support/fakeSwarm';
import { aService } from '../../support/domainBuilders';

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
});
