import { ConfigError, loadConfig } from '../../../src/config/loadConfig';

const noFile = () => {
  throw new Error('ENOENT: no such file');
};

function problemsOf(env: Record<string, string>, readFile: (path: string) => string = noFile): string[] {
  try {
    loadConfig(env, readFile);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('loadConfig', () => {
  test('when only a token is given, then the documented defaults apply', () => {
    expect(loadConfig({ WEBHOOK_TOKEN: 'abc' })).toMatchObject({
      PORT: 8080,
      WEBHOOK_AUTH: 'bearer',
      webhookToken: 'abc',
      DRY_RUN: false,
      DEDUP_WINDOW: 45_000,
      INTENT_TTL: 120_000,
      MAX_REPLICAS_CEILING: 100,
      BODY_LIMIT: 1024 * 1024,
      LOG_LEVEL: 'info',
    });
  });

  test('when the token comes from a file, then it is read and trimmed', () => {
    expect(loadConfig({ WEBHOOK_TOKEN_FILE: '/run/secrets/t' }, () => 'from-file\n').webhookToken).toBe('from-file');
  });

  test('when WEBHOOK_AUTH=none, then no token is needed', () => {
    expect(loadConfig({ WEBHOOK_AUTH: 'none' }).webhookToken).toBeUndefined();
  });

  test.each([
    [{ WEBHOOK_TOKEN: 'a', PORT: '70000' }, /^PORT: must be a whole number from 1 to 65535, got "70000"$/],
    [{ WEBHOOK_TOKEN: 'a', PORT: 'abc' }, /^PORT: must be a whole number from 1 to 65535, got "abc"$/],
    [{ WEBHOOK_TOKEN: 'a', PORT: '80.5' }, /^PORT: must be a whole number/],
    [{ WEBHOOK_TOKEN: 'a', MAX_REPLICAS_CEILING: '-3' }, /^MAX_REPLICAS_CEILING: must be a whole number from 1 to 100000, got "-3"$/],
    [{ WEBHOOK_TOKEN: 'a', HOST: 'not a host!' }, /^HOST: must be an IP address or host name/],
    [{ WEBHOOK_TOKEN: 'a', DRY_RUN: 'yes' }, /^DRY_RUN: must be "true" or "false", got "yes"/],
    [
      { WEBHOOK_TOKEN: 'a', DEDUP_WINDOW: '30' },
      /^DEDUP_WINDOW: not a Prometheus duration such as 30s, 2m or 1h30m \(a bare number has no unit: write 30s for seconds\), got "30"$/,
    ],
    [{ WEBHOOK_TOKEN: 'a', BODY_LIMIT: 'huge' }, /^BODY_LIMIT: not a size such as 512kb, 1mb or 1048576, got "huge"$/],
    [{ WEBHOOK_TOKEN: 'a', ALERTMANAGER_URL: 'alertmanager:9093' }, /^ALERTMANAGER_URL: must be a URL such as http:\/\/alertmanager:9093/],
    [{ WEBHOOK_TOKEN: 'a', DOCKER_HOST: 'docker.sock' }, /^DOCKER_HOST: must be a URL/],
    [{ WEBHOOK_TOKEN: 'a', WEBHOOK_AUTH: 'basic' }, /^WEBHOOK_AUTH: must be "bearer" or "none"/],
    [{ WEBHOOK_TOKEN: 'a', LOG_LEVEL: 'verbose' }, /^LOG_LEVEL: must be "error", "warn", "info" or "debug", got "verbose"$/],
    [{}, /WEBHOOK_TOKEN or WEBHOOK_TOKEN_FILE is required/],
    [{ WEBHOOK_TOKEN: 'a', WEBHOOK_TOKEN_FILE: '/x' }, /both set: set only one/],
    [{ WEBHOOK_TOKEN_FILE: '/run/secrets/missing' }, /WEBHOOK_TOKEN_FILE: cannot read \/run\/secrets\/missing/],
  ])('when %o, then the problem names the variable', (env, problem) => {
    expect(problemsOf(env)).toEqual([expect.stringMatching(problem)]);
  });

  test('when a value is wrong, then the message quotes it once', () => {
    const [problem] = problemsOf({ WEBHOOK_TOKEN: 'a', DEDUP_WINDOW: '30' });
    expect(problem?.split('"30"')).toHaveLength(2);
  });

  test.each([
    ['/var/run/docker.sock', 'unix:///var/run/docker.sock'],
    ['unix:///run/docker.sock', 'unix:///run/docker.sock'],
    ['tcp://docker-proxy:2375', 'tcp://docker-proxy:2375'],
  ])('when DOCKER_HOST is %s, then it is accepted as %s', (given, expected) => {
    expect(loadConfig({ WEBHOOK_TOKEN: 'a', DOCKER_HOST: given }).DOCKER_HOST).toBe(expected);
  });

  test.each(['0.0.0.0', '::', '127.0.0.1', 'localhost'])('when HOST is %s, then it is the bind address', (host) => {
    expect(loadConfig({ WEBHOOK_TOKEN: 'a', HOST: host }).HOST).toBe(host);
  });

  test('when HOST is not set, then it is left to Node (every interface)', () => {
    expect(loadConfig({ WEBHOOK_TOKEN: 'a' }).HOST).toBeUndefined();
  });

  test('when several variables are wrong, then every one is listed', () => {
    expect(problemsOf({ WEBHOOK_TOKEN: 'a', PORT: 'x', DRY_RUN: '1' })).toHaveLength(2);
  });

  test('when AMQP_URL is malformed, then its value (which may hold a password) is not echoed', () => {
    const [problem] = problemsOf({ WEBHOOK_TOKEN: 'a', AMQP_URL: 'rabbit://user:hunter2@host' });
    expect(problem).toMatch(/^AMQP_URL: .*\(value hidden\)/);
    expect(problem).not.toContain('hunter2');
  });
});
