import { judgeDockerRequest, type CurrentService, type GuardLimits } from '../../../src/guard/rules/judgeDockerRequest';
import { parseStrictJson } from '../../../src/guard/rules/parseStrictJson';
import { currentServiceOf, serviceSpec, updateRequest } from '../../support/guardBuilders';

const scale: GuardLimits = { mode: 'scale', ceiling: 10, bodyLimitBytes: 64 * 1024 };
const readOnly: GuardLimits = { ...scale, mode: 'read-only' };

interface Row {
  when: string;
  method?: string;
  url: string;
  headers?: Record<string, string>;
  /** A spec object (serialised) or raw body text. */
  body?: Record<string, unknown> | string;
  current?: CurrentService;
  limits?: GuardLimits;
  /** forward, stale, read_body, inspect, or the rule a refusal names. */
  expected: string;
  reason?: RegExp;
}

const current = currentServiceOf(serviceSpec());
/** The current spec with one change, as an update body. */
const changed = (change: (spec: ReturnType<typeof serviceSpec>) => void) => {
  const spec = serviceSpec();
  change(spec);
  return spec;
};

const rows: Row[] = [
  // Reads alertscale needs, with or without an API version prefix.
  { when: 'GET /_ping', url: '/_ping', expected: 'forward' },
  { when: 'HEAD /_ping (the Go client pings with HEAD)', method: 'HEAD', url: '/v1.41/_ping', expected: 'forward' },
  { when: 'GET /version', url: '/v1.41/version', expected: 'forward' },
  { when: 'GET /services with a label filter', url: '/v1.41/services?filters=%7B%22label%22%3A%5B%22alertscale.enabled%3Dtrue%22%5D%7D', expected: 'forward' },
  { when: 'GET /services/{name}', url: '/services/shop_worker', expected: 'forward' },
  // The scale alertscale makes: only replicas and state labels differ, within policy.
  {
    when: 'an update changes replicas and state labels within max',
    url: '/services/abc/update?version=42',
    body: changed((s) => ((s.Mode.Replicated.Replicas = 4), (s.Labels['alertscale.state.key'] = 'k'))),
    current,
    expected: 'forward',
  },
  { when: 'an update changes nothing at all', url: '/services/abc/update?version=42', body: serviceSpec(), current, expected: 'forward' },
  // Docker drops fields newer than a named API version from an update (CapabilityDrop below 1.41): no version prefix on updates.
  {
    when: 'an update names an API version',
    url: '/v1.40/services/abc/update?version=42',
    body: serviceSpec(),
    current,
    expected: 'endpoint',
    reason: /must not name an API version/,
  },
  // Before the body and the current spec are read, the guard asks for them.
  {
    when: 'an update arrives without its body read yet',
    url: '/services/abc/update?version=42',
    headers: { 'content-length': '10', 'content-type': 'application/json' },
    expected: 'read_body',
  },
  { when: 'an update body is read but not the current spec', url: '/services/abc/update?version=42', body: serviceSpec(), expected: 'inspect' },
  // A version that is not the current one: Docker's own concurrency answer, not a refusal.
  { when: 'the version is older than the service', url: '/services/abc/update?version=41', body: serviceSpec(), current, expected: 'stale' },
  // Creating, deleting and every other endpoint or method.
  { when: 'POST /services/create', method: 'POST', url: '/services/create', body: serviceSpec(), expected: 'endpoint' },
  { when: 'DELETE /services/{id}', method: 'DELETE', url: '/services/abc', expected: 'endpoint' },
  { when: 'POST /containers/create', method: 'POST', url: '/v1.41/containers/create', body: '{}', expected: 'endpoint' },
  { when: 'GET /containers/json', url: '/containers/json', expected: 'endpoint' },
  { when: 'GET /events', url: '/events', expected: 'endpoint' },
  { when: 'GET /tasks in scale mode', url: '/tasks', expected: 'endpoint' },
  { when: 'GET /secrets', url: '/secrets', expected: 'endpoint' },
  { when: 'POST /swarm/leave', method: 'POST', url: '/swarm/leave', expected: 'endpoint' },
  { when: 'PUT on a service', method: 'PUT', url: '/services/abc/update?version=42', body: serviceSpec(), expected: 'endpoint' },
  { when: 'GET on the update endpoint', method: 'GET', url: '/services/abc/update', expected: 'endpoint' },
  { when: 'GET /services/{id}/logs', url: '/services/abc/logs', expected: 'endpoint' },
  // Path tricks: never normalised, always refused.
  { when: 'an encoded slash', url: '/services/abc%2Fupdate', expected: 'path_syntax' },
  { when: 'an encoded letter', url: '/servic%65s', expected: 'path_syntax' },
  { when: 'a .. segment', url: '/v1.41/services/../containers/json', expected: 'path_syntax' },
  { when: 'a . segment', url: '/./services', expected: 'path_syntax' },
  { when: 'a double slash', url: '//services', expected: 'path_syntax' },
  { when: 'a trailing slash', url: '/services/', expected: 'path_syntax' },
  { when: 'mixed case', url: '/Services', expected: 'path_syntax', reason: /lower case/ },
  { when: 'a mixed-case version prefix', url: '/V1.41/services', expected: 'path_syntax' },
  { when: 'a backslash', url: '/services\\abc', expected: 'path_syntax' },
  { when: 'an absolute URL as the target', url: 'http://docker/services', expected: 'path_syntax' },
  // Query parameters that change what an update does.
  { when: 'rollback=previous', url: '/services/abc/update?version=42&rollback=previous', body: serviceSpec(), current, expected: 'query', reason: /"rollback" is not allowed/ },
  { when: 'registryAuthFrom', url: '/services/abc/update?version=42&registryAuthFrom=previous-spec', body: serviceSpec(), current, expected: 'query' },
  { when: 'an encoded query key (Go would decode it to rollback)', url: '/services/abc/update?version=42&%72ollback=previous', body: serviceSpec(), current, expected: 'query' },
  { when: 'a repeated version', url: '/services/abc/update?version=42&version=43', body: serviceSpec(), current, expected: 'query', reason: /repeated/ },
  { when: 'a version that is not a number', url: '/services/abc/update?version=4x', body: serviceSpec(), current, expected: 'query' },
  { when: 'no version', url: '/services/abc/update', body: serviceSpec(), current, expected: 'query', reason: /needs the version/ },
  { when: 'a ; in the query', url: '/services?filters=a;b', expected: 'query' },
  { when: 'a query on /_ping', url: '/_ping?x=1', expected: 'query' },
  // Headers and framing.
  { when: 'registry credentials ride along', url: '/services/abc/update?version=42', headers: { 'x-registry-auth': 'e30=' }, body: serviceSpec(), current, expected: 'header' },
  { when: 'an upgrade is asked for', url: '/_ping', headers: { upgrade: 'tcp' }, expected: 'header' },
  {
    when: 'the update body is chunked',
    url: '/services/abc/update?version=42',
    headers: { 'transfer-encoding': 'chunked', 'content-type': 'application/json' },
    expected: 'body_framing',
    reason: /chunked/,
  },
  { when: 'the update has no Content-Length', url: '/services/abc/update?version=42', headers: { 'content-type': 'application/json' }, expected: 'body_framing' },
  {
    when: 'the update body is over the limit',
    url: '/services/abc/update?version=42',
    headers: { 'content-length': String(1024 * 1024), 'content-type': 'application/json' },
    expected: 'body_framing',
    reason: /over the guard's limit/,
  },
  { when: 'a read carries a body', url: '/services', headers: { 'content-length': '2' }, expected: 'body_framing' },
  // Bodies that are not one strict JSON object.
  { when: 'the body is not JSON', url: '/services/abc/update?version=42', body: 'Name=shop', current, expected: 'body_json' },
  {
    when: 'the body has a duplicate key (the last would win in Docker)',
    url: '/services/abc/update?version=42',
    body: '{"Name":"shop_worker","Name":"evil"}',
    current,
    expected: 'body_json',
    reason: /duplicate key "Name"/,
  },
  {
    when: 'a duplicate key spelled with an escape',
    url: '/services/abc/update?version=42',
    body: '{"Name":"a","\\u004eame":"b"}',
    current,
    expected: 'body_json',
    reason: /duplicate key/,
  },
  {
    when: 'data follows the JSON value',
    url: '/services/abc/update?version=42',
    body: `${JSON.stringify(serviceSpec())} {"Name":"x"}`,
    current,
    expected: 'body_json',
    reason: /after the JSON value/,
  },
  { when: 'the body is a JSON array', url: '/services/abc/update?version=42', body: '[]', current, expected: 'body_json' },
  { when: 'the content type is not JSON', url: '/services/abc/update?version=42', headers: { 'content-type': 'text/plain', 'content-length': '2' }, expected: 'body_json' },
  // Any other field of the spec.
  {
    when: 'the image changes',
    url: '/services/abc/update?version=42',
    body: changed((s) => (s.TaskTemplate.ContainerSpec.Image = 'evil:latest')),
    current,
    expected: 'spec_changed',
    reason: /TaskTemplate.ContainerSpec.Image differs/,
  },
  {
    when: 'a bind mount is added',
    url: '/services/abc/update?version=42',
    body: changed((s) => Object.assign(s.TaskTemplate.ContainerSpec, { Mounts: [{ Type: 'bind', Source: '/', Target: '/host' }] })),
    current,
    expected: 'spec_changed',
    reason: /Mounts/,
  },
  {
    when: 'a policy label changes',
    url: '/services/abc/update?version=42',
    body: changed((s) => (s.Labels['alertscale.max'] = '1000')),
    current,
    expected: 'spec_changed',
    reason: /Labels.alertscale.max/,
  },
  {
    when: 'a lower-case twin of a field is added (Go matches names case-insensitively)',
    url: '/services/abc/update?version=42',
    body: changed((s) => Object.assign(s, { labels: {} })),
    current,
    expected: 'spec_changed',
  },
  // An empty key is a key like any other (found by the property test).
  {
    when: 'a key named "" is added',
    url: '/services/abc/update?version=42',
    body: changed((s) => Object.assign(s, { '': {} })),
    current,
    expected: 'spec_changed',
    reason: /^"" differs/,
  },
  {
    when: 'a label named "" is added',
    url: '/services/abc/update?version=42',
    body: changed((s) => (s.Labels[''] = 'x')),
    current,
    expected: 'spec_changed',
    reason: /Labels."" differs/,
  },
  {
    when: 'a number is spelled differently',
    url: '/services/abc/update?version=42',
    body: JSON.stringify(serviceSpec()).replace('"StopGracePeriod":1000000000', '"StopGracePeriod":1e9'),
    current,
    expected: 'spec_changed',
  },
  {
    when: 'the service is switched to global',
    url: '/services/abc/update?version=42',
    body: changed((s) => Object.assign(s, { Mode: { Global: {} } })),
    current,
    expected: 'spec_changed',
  },
  // Policy of the service as it is now.
  {
    when: 'the service is not opted in',
    url: '/services/abc/update?version=42',
    body: serviceSpec({ 'alertscale.enabled': 'false' }),
    current: currentServiceOf(serviceSpec({ 'alertscale.enabled': 'false' })),
    expected: 'not_enabled',
  },
  {
    when: 'the service is paused',
    url: '/services/abc/update?version=42',
    body: serviceSpec({ 'alertscale.paused': 'true' }),
    current: currentServiceOf(serviceSpec({ 'alertscale.paused': 'true' })),
    expected: 'policy',
    reason: /paused/,
  },
  {
    when: 'the policy is invalid',
    url: '/services/abc/update?version=42',
    body: serviceSpec({ 'alertscale.max': 'many' }),
    current: currentServiceOf(serviceSpec({ 'alertscale.max': 'many' })),
    expected: 'policy',
    reason: /alertscale.max="many"/,
  },
  // Replica bounds: alertscale.max, alertscale.min and the global ceiling.
  {
    when: 'replicas above alertscale.max',
    url: '/services/abc/update?version=42',
    body: changed((s) => (s.Mode.Replicated.Replicas = 6)),
    current,
    expected: 'replicas',
    reason: /2 → 6 leaves 1..5/,
  },
  {
    when: 'replicas below alertscale.min (scale to zero)',
    url: '/services/abc/update?version=42',
    body: changed((s) => (s.Mode.Replicated.Replicas = 0)),
    current,
    expected: 'replicas',
  },
  {
    when: 'replicas above the ceiling',
    url: '/services/abc/update?version=42',
    body: serviceSpec({ 'alertscale.max': '50' }, 11),
    current: currentServiceOf(serviceSpec({ 'alertscale.max': '50' })),
    expected: 'replicas',
    reason: /MAX_REPLICAS_CEILING=10/,
  },
  // Scaled above max by hand (8 > 5): alertscale's down may bring it towards max, nothing may raise it.
  { when: 'a down from above max', url: '/services/abc/update?version=42', body: serviceSpec({}, 7), current: currentServiceOf(serviceSpec({}, 8)), expected: 'forward' },
  { when: 'an up from above max', url: '/services/abc/update?version=42', body: serviceSpec({}, 9), current: currentServiceOf(serviceSpec({}, 8)), expected: 'replicas' },
  // Below min (0 < 2): alertscale raises it to min at once, nothing less.
  {
    when: 'a raise from below min to min',
    url: '/services/abc/update?version=42',
    body: serviceSpec({ 'alertscale.min': '2' }, 2),
    current: currentServiceOf(serviceSpec({ 'alertscale.min': '2' }, 0)),
    expected: 'forward',
  },
  {
    when: 'a raise from below min that stays below it',
    url: '/services/abc/update?version=42',
    body: serviceSpec({ 'alertscale.min': '2' }, 1),
    current: currentServiceOf(serviceSpec({ 'alertscale.min': '2' }, 0)),
    expected: 'replicas',
  },
  {
    when: 'replicas is not a whole number',
    url: '/services/abc/update?version=42',
    body: JSON.stringify(serviceSpec()).replace('"Replicas":2', '"Replicas":2.5'),
    current,
    expected: 'replicas',
  },
  // Read-only mode (Prometheus' Swarm service discovery).
  { when: 'read-only: GET /tasks', url: '/v1.40/tasks?filters=%7B%7D', limits: readOnly, expected: 'forward' },
  { when: 'read-only: GET /nodes', url: '/v1.40/nodes', limits: readOnly, expected: 'forward' },
  { when: 'read-only: GET /networks', url: '/v1.40/networks', limits: readOnly, expected: 'forward' },
  { when: 'read-only: an update', url: '/services/abc/update?version=42', body: serviceSpec(), current, limits: readOnly, expected: 'endpoint' },
  { when: 'read-only: GET /containers/json', url: '/containers/json', limits: readOnly, expected: 'endpoint' },
];

describe('judgeDockerRequest', () => {
  test.each(rows)('when $when, then $expected', (row) => {
    const body = row.body === undefined ? undefined : Buffer.from(typeof row.body === 'string' ? row.body : JSON.stringify(row.body));
    const request = updateRequest(row.method ?? (body || row.url.includes('/update') ? 'POST' : 'GET'), row.url, body, row.headers);
    const verdict = judgeDockerRequest(request, row.limits ?? scale, row.current);
    expect(verdict.verdict === 'refuse' ? verdict.rule : verdict.verdict).toBe(row.expected);
    if (row.reason) expect(verdict).toMatchObject({ reason: expect.stringMatching(row.reason) });
  });
});

describe('parseStrictJson', () => {
  test.each([
    ['invalid UTF-8', Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]), /UTF-8/],
    ['a byte-order mark', Buffer.from('\ufeff{}'), /strict JSON/],
    ['nesting deeper than 64', Buffer.from('['.repeat(100) + ']'.repeat(100)), /nesting/],
    ['a trailing comma', Buffer.from('{"a":1,}'), /expected a key/],
    ['single quotes', Buffer.from("{'a':1}"), /expected a key/],
  ])('when the body has %s, then it is refused', (_case, bytes, reason) => {
    expect(parseStrictJson(bytes)).toEqual({ ok: false, reason: expect.stringMatching(reason) });
  });

  test('when a key is __proto__, then it is an ordinary key and nothing is polluted', () => {
    const parsed = parseStrictJson(Buffer.from('{"__proto__":{"polluted":true}}'));
    expect(parsed.ok && parsed.value instanceof Map && parsed.value.has('__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
