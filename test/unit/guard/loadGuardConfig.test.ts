import { loadGuardConfig } from '../../../src/guard/loadGuardConfig';

describe('loadGuardConfig', () => {
  test('when nothing is set, then it guards scaling on a Unix socket in front of the Docker socket', () => {
    expect(loadGuardConfig({})).toMatchObject({
      GUARD_MODE: 'scale',
      GUARD_LISTEN: 'unix:///run/alertscale-guard/docker.sock',
      GUARD_DOCKER_HOST: 'unix:///var/run/docker.sock',
      GUARD_METRICS_PORT: 0,
      MAX_REPLICAS_CEILING: 100,
    });
  });

  test.each([
    [{ GUARD_MODE: 'write' }, /- GUARD_MODE: /],
    [{ GUARD_LISTEN: 'http://0.0.0.0:2375' }, /- GUARD_LISTEN: must be unix:\/\/\/path\/to.sock or tcp:\/\/host:port/],
    [{ GUARD_LISTEN: 'tcp://:2375' }, /- GUARD_LISTEN: /],
    [{ GUARD_DOCKER_HOST: '/var/run/docker.sock' }, /- GUARD_DOCKER_HOST: /],
    [{ MAX_REPLICAS_CEILING: '0' }, /- MAX_REPLICAS_CEILING: /],
    [{ GUARD_BODY_LIMIT: '10' }, /- GUARD_BODY_LIMIT: /],
  ])('when %j, then the variable is named', (env, problem) => {
    expect(() => loadGuardConfig(env)).toThrow(problem);
  });
});
