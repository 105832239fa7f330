/**
 * Hostile and broken input at the webhook, property-based (fast-check, fixed
 * seed, so every run sends the same cases). Cases start from the payloads
 * recorded from a real Alertmanager and are mutated: wrong types, missing and
 * extra fields, alert labels that break the contract, duplicated alerts, deep
 * nesting, bad UTF-8, truncation, bodies near and over BODY_LIMIT, wrong content
 * types and encodings, abused headers. Raw sockets carry them, so nothing is
 * cleaned up by an HTTP client on the way.
 *
 * The in-process app runs over a FakeSwarm whose services can never change: a
 * service pinned at min = max, a paused one, one not opted in, a global one, one
 * with an invalid policy. Any accepted case may name them; none may change them.
 */
import v8 from 'node:v8';
import vm from 'node:vm';
import fc from 'fast-check';
import { listenOnLoopback, type LoopbackServer } from '../../harness/listenOnLoopback';
import { FakeSwarm } from '../support/fakeSwarm';
import { TEST_TOKEN, createTestApp } from '../support/createTestApp';
import { rawRequest, requestHead, type RawResponse } from './support/rawHttp';
import { histogram, reportResult } from './support/report';
import { aService } from '../support/builders';
import { loadFixture, type FixtureName } from '../../harness/notifications';

jest.setTimeout(180_000);

const SEED = 20261128;
const RUNS = Number(process.env.RELIABILITY_FUZZ_RUNS ?? 3000);
const BODY_LIMIT = 1024 * 1024;
const FIXTURES: FixtureName[] = ['firing-one-alert', 'firing-two-alerts-same-service', 'firing-scale-to-truncated', 'resolved-one-alert'];
const ACCEPTABLE = new Set<RawResponse['status']>([202, 400, 401, 413, 415, 431]);

/** global.gc when jest runs with --expose-gc; otherwise switched on at run time. */
function findGc(): (() => void) | undefined {
  const exposed = global.gc;
  if (typeof exposed === 'function') return () => void exposed();
  try {
    v8.setFlagsFromString('--expose-gc');
    return vm.runInNewContext('gc') as () => void;
  } catch {
    return undefined;
  }
}

function unchangeableSwarm(): FakeSwarm {
  const swarm = new FakeSwarm();
  const fast = { 'alertscale.cooldown.up': '0s', 'alertscale.cooldown.down': '0s' };
  swarm.add(aService({ ...fast, 'alertscale.min': '2', 'alertscale.max': '2' }, { id: 'svc-pinned', name: 'shop_worker', replicas: 2 }));
  swarm.add(aService({ ...fast, 'alertscale.max': '10', 'alertscale.paused': 'true' }, { id: 'svc-paused', name: 'paused_svc' }));
  swarm.add(aService({}, { id: 'svc-not-enabled', name: 'not_enabled_svc', labels: { 'com.example.team': 'shop' } }));
  swarm.add(aService({ ...fast, 'alertscale.max': '10' }, { id: 'svc-global', name: 'global_svc', mode: 'global' }));
  swarm.add(aService({ ...fast, 'alertscale.max': 'ten' }, { id: 'svc-invalid', name: 'invalid_svc' }));
  return swarm;
}

// ---------- arbitraries ----------

const serviceNames = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('shop_worker', 'paused_svc', 'not_enabled_svc', 'global_svc', 'invalid_svc', 'svc-pinned', 'shop_worke', 'SHOP_WORKER') },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      '../../containers/json',
      'shop_worker?force=true',
      'shop_worker/update',
      'a#b',
      '%2e%2e%2f',
      'x'.repeat(63),
      'x'.repeat(64),
      '',
      ' ',
      'shop worker',
      'svc\u0000',
      'svc\n',
      'ünïcødé',
      '.hidden',
      '-dash',
    ),
  },
  { weight: 2, arbitrary: fc.string({ maxLength: 70, unit: 'binary' }) },
);
const labelValue = (key: string) =>
  key === 'scale_service'
    ? serviceNames
    : key === 'scale_action'
      ? fc.oneof(fc.constantFrom('up', 'down', 'to', 'UP', 'sideways', '', ' up'), fc.string({ maxLength: 10 }))
      : fc.oneof(fc.constantFrom('1', '0', '-2', '1.5', '1e3', '999999999', '0x10', 'abc', '', ' 2', '２', 'NaN'), fc.string({ maxLength: 12 }));
const replicasValue = fc.oneof(
  fc.constantFrom('-1', '1e9', '1e400', 'NaN', 'Infinity', '-Infinity', '0x10', '2.5', '', ' ', '7', '1000001', '0'),
  fc.double().map(String),
  fc.string({ maxLength: 12 }),
);
const anyValue = fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.string({ maxLength: 40, unit: 'binary' }), fc.constantFrom(null, true, 0, -1, 1e308, [], {}, '', 'firing', 'resolved'));

type Mutation =
  | { kind: 'set'; pick: number; value: unknown }
  | { kind: 'delete'; pick: number }
  | { kind: 'add'; pick: number; key: string; value: unknown }
  | { kind: 'label'; pick: number; key: string; value: string }
  | { kind: 'replicas'; pick: number; value: string }
  | { kind: 'duplicateAlerts'; times: number }
  | { kind: 'proto'; pick: number };

const labelKeys = fc.constantFrom('scale_service', 'scale_action', 'scale_step');
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), pick: fc.nat(), value: anyValue }),
  fc.record({ kind: fc.constant('delete' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('add' as const), pick: fc.nat(), key: fc.string({ maxLength: 12 }), value: anyValue }),
  labelKeys.chain((key) => fc.record({ kind: fc.constant('label' as const), pick: fc.nat(), key: fc.constant(key), value: labelValue(key) })),
  labelKeys.chain((key) => fc.record({ kind: fc.constant('label' as const), pick: fc.nat(), key: fc.constant(key), value: labelValue(key) })),
  fc.record({ kind: fc.constant('replicas' as const), pick: fc.nat(), value: replicasValue }),
  fc.record({ kind: fc.constant('duplicateAlerts' as const), times: fc.integer({ min: 2, max: 50 }) }),
  fc.record({ kind: fc.constant('proto' as const), pick: fc.nat() }),
);

type Encoding = 'json' | 'badUtf8' | 'truncated' | 'deepArrays' | 'deepObjects' | 'nearLimit' | 'overLimit' | 'notJson' | 'empty';
const encoding: fc.Arbitrary<Encoding> = fc.oneof(
  { weight: 60, arbitrary: fc.constant('json' as const) },
  { weight: 8, arbitrary: fc.constant('badUtf8' as const) },
  { weight: 6, arbitrary: fc.constant('truncated' as const) },
  { weight: 4, arbitrary: fc.constant('deepArrays' as const) },
  { weight: 4, arbitrary: fc.constant('deepObjects' as const) },
  { weight: 1, arbitrary: fc.constant('nearLimit' as const) },
  { weight: 1, arbitrary: fc.constant('overLimit' as const) },
  { weight: 3, arbitrary: fc.constant('notJson' as const) },
  { weight: 2, arbitrary: fc.constant('empty' as const) },
);
const contentType = fc.oneof(
  { weight: 80, arbitrary: fc.constant('application/json') },
  {
    weight: 20,
    arbitrary: fc.oneof(
      fc.constantFrom(
        'application/json; charset=utf-8',
        'APPLICATION/JSON',
        'application/json; charset=latin1',
        'application/json; charset=utf-16',
        'application/json; charset="utf-8"',
        'application/json;;',
        'application/json; charset=',
        'text/plain',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
        'application/jsonx',
        'application/*',
        '*/*',
        '',
        '(none)',
      ),
      fc.string({ maxLength: 30, unit: 'grapheme-ascii' }),
    ),
  },
);
const authorization = fc.oneof(
  { weight: 85, arbitrary: fc.constant(`Bearer ${TEST_TOKEN}`) },
  {
    weight: 15,
    arbitrary: fc.constantFrom(
      '(none)',
      'Bearer wrong',
      `Basic ${TEST_TOKEN}`,
      `Bearer ${TEST_TOKEN} `,
      `bearer ${TEST_TOKEN}`,
      `Bearer  ${TEST_TOKEN}`,
      `Bearer ${TEST_TOKEN.slice(0, -1)}`,
      'Bearer',
      '',
    ),
  },
);
const headerToken = fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,15}$/);
const extraHeader = fc.oneof(
  {
    weight: 86,
    arbitrary: fc.tuple(
      headerToken,
      fc.string({ maxLength: 40, unit: 'grapheme-ascii' }).map((value) => value.replace(/[\r\n]/g, ' ')),
    ),
  },
  { weight: 6, arbitrary: fc.tuple(fc.constant('Content-Encoding'), fc.constantFrom('gzip', 'deflate', 'br', 'bogus', 'identity', 'gzip, gzip')) },
  {
    weight: 2,
    arbitrary: fc.tuple(
      fc.constant('X-Huge'),
      fc.integer({ min: 8_000, max: 40_000 }).map((size) => 'h'.repeat(size)),
    ),
  },
  { weight: 3, arbitrary: fc.tuple(fc.constant('X-Control'), fc.constantFrom('\u0001bad', 'tab\there', '\u007f')) },
  { weight: 3, arbitrary: fc.tuple(fc.constant('Authorization'), fc.constantFrom('Bearer second', `Bearer ${TEST_TOKEN}`)) },
);
const fuzzCase = fc.record({
  fixture: fc.constantFrom(...FIXTURES),
  mutations: fc.array(mutation, { maxLength: 6 }),
  encoding,
  bytePicks: fc.array(fc.nat(), { minLength: 1, maxLength: 8 }),
  depth: fc.integer({ min: 100, max: 20_000 }),
  contentType,
  authorization,
  headers: fc.array(extraHeader, { maxLength: 3 }),
  lieAboutLength: fc.oneof({ weight: 97, arbitrary: fc.constant(false) }, { weight: 3, arbitrary: fc.constant(true) }),
});
type FuzzCase = typeof fuzzCase extends fc.Arbitrary<infer T> ? T : never;

// ---------- building a request from a case ----------

type Path = Array<string | number>;
function paths(value: unknown, prefix: Path = [], out: Path[] = []): Path[] {
  if (value && typeof value === 'object') {
    for (const key of Object.keys(value)) {
      const path = [...prefix, Array.isArray(value) ? Number(key) : key];
      out.push(path);
      paths((value as Record<string, unknown>)[key], path, out);
    }
  }
  return out;
}
function parentOf(root: any, path: Path): any {
  let node = root;
  for (const key of path.slice(0, -1)) node = node?.[key];
  return node && typeof node === 'object' ? node : undefined;
}
function alertsOf(payload: any): any[] {
  return Array.isArray(payload?.alerts) ? payload.alerts.filter((alert: unknown) => alert && typeof alert === 'object') : [];
}

function applyMutation(payload: any, change: Mutation): any {
  const all = paths(payload);
  switch (change.kind) {
    case 'set': {
      if (all.length === 0) return change.value;
      const path = all[change.pick % all.length]!;
      const parent = parentOf(payload, path);
      if (parent) parent[path[path.length - 1]!] = structuredClone(change.value);
      return payload;
    }
    case 'delete': {
      if (all.length === 0) return payload;
      const path = all[change.pick % all.length]!;
      const parent = parentOf(payload, path);
      if (Array.isArray(parent)) parent.splice(Number(path[path.length - 1]), 1);
      else if (parent) delete parent[path[path.length - 1]!];
      return payload;
    }
    case 'add': {
      const nodes = [payload, ...all.map((path) => path.reduce((node: any, key) => node?.[key], payload))].filter(
        (node) => node && typeof node === 'object' && !Array.isArray(node),
      );
      const node = nodes[change.pick % Math.max(1, nodes.length)];
      if (node) node[change.key] = structuredClone(change.value);
      return payload;
    }
    case 'label': {
      const alerts = alertsOf(payload);
      const alert = alerts[change.pick % Math.max(1, alerts.length)];
      if (alert && alert.labels && typeof alert.labels === 'object') alert.labels[change.key] = change.value;
      return payload;
    }
    case 'replicas': {
      const alerts = alertsOf(payload);
      const alert = alerts[change.pick % Math.max(1, alerts.length)];
      if (alert && alert.annotations && typeof alert.annotations === 'object') alert.annotations.scale_replicas = change.value;
      return payload;
    }
    case 'duplicateAlerts': {
      if (Array.isArray(payload?.alerts))
        payload.alerts = Array.from({ length: change.times }, () => payload.alerts)
          .flat()
          .slice(0, 11_000);
      return payload;
    }
    case 'proto': {
      // Prototype-pollution shaped keys, in the JSON text itself (JSON.parse makes them own properties).
      const alerts = alertsOf(payload);
      const alert = alerts[change.pick % Math.max(1, alerts.length)];
      if (alert) alert.labels = JSON.parse('{"__proto__":{"scale_service":"shop_worker","scale_action":"up"},"constructor":{"prototype":{"polluted":"yes"}}}');
      return payload;
    }
  }
}

function encode(payload: unknown, testCase: FuzzCase): Buffer {
  const text = JSON.stringify(payload) ?? 'null';
  switch (testCase.encoding) {
    case 'json':
      return Buffer.from(text, 'utf8');
    case 'badUtf8': {
      const bytes = Buffer.from(text, 'utf8');
      const bad = [0xff, 0xc0, 0x80, 0xed, 0xfe, 0xc3];
      testCase.bytePicks.forEach((pick, index) => {
        if (bytes.length > 0) bytes[pick % bytes.length] = bad[index % bad.length]!;
      });
      return bytes;
    }
    case 'truncated':
      return Buffer.from(text.slice(0, (testCase.bytePicks[0] ?? 0) % Math.max(1, text.length)), 'utf8');
    case 'deepArrays':
      return Buffer.from(`${text.slice(0, -1)},"nested":${'['.repeat(testCase.depth)}${']'.repeat(testCase.depth)}}`, 'utf8');
    case 'deepObjects':
      return Buffer.from(`${text.slice(0, -1)},"nested":${'{"a":'.repeat(testCase.depth)}1${'}'.repeat(testCase.depth)}}`, 'utf8');
    case 'nearLimit': {
      const padding = Math.max(0, BODY_LIMIT - text.length - 64);
      return Buffer.from(`${text.slice(0, -1)},"padding":"${'p'.repeat(padding)}"}`, 'utf8');
    }
    case 'overLimit':
      return Buffer.from(`${text.slice(0, -1)},"padding":"${'p'.repeat(BODY_LIMIT + 1024)}"}`, 'utf8');
    case 'notJson':
      return Buffer.from(`receiver=scaler&status=firing&${'x'.repeat((testCase.bytePicks[0] ?? 0) % 200)}`, 'utf8');
    case 'empty':
      return Buffer.alloc(0);
  }
}

function buildRequest(testCase: FuzzCase): { head: string; body: Buffer } {
  let payload: any = structuredClone(loadFixture(testCase.fixture));
  for (const change of testCase.mutations) payload = applyMutation(payload, change);
  const body = encode(payload, testCase);
  const headers: Array<[string, string]> = [];
  if (testCase.contentType !== '(none)') headers.push(['Content-Type', testCase.contentType]);
  if (testCase.authorization !== '(none)') headers.push(['Authorization', testCase.authorization]);
  headers.push(['Content-Length', String(testCase.lieAboutLength ? Math.floor(body.length / 2) : body.length)]);
  headers.push(...testCase.headers);
  return { head: requestHead('POST', '/webhook', headers), body };
}

// ---------- the test ----------

let served: LoopbackServer | undefined;
let port: number;
let swarm: FakeSwarm;
let logLines: string[];

beforeAll(async () => {
  swarm = unchangeableSwarm();
  const built = await createTestApp(swarm, { bodyLimitBytes: BODY_LIMIT });
  logLines = built.logLines;
  served = await listenOnLoopback(built.app);
  port = served.port;
});

afterAll(async () => {
  await served?.close();
});

describe('fuzzing the webhook with mutated Alertmanager payloads', () => {
  test(`when ${RUNS} seeded hostile or broken requests arrive, then none crashes or answers 5xx, none changes a service, and memory stays flat`, async () => {
    const gc = findGc();
    const statuses: Array<RawResponse['status']> = [];
    const outcomes: string[] = [];
    const problems: string[] = [];
    const slow: Array<Record<string, unknown> & { build: number; send: number }> = [];
    const send = async (testCase: FuzzCase): Promise<boolean> => {
      const t0 = Date.now();
      const { head, body } = buildRequest(testCase);
      const t1 = Date.now();
      const response = await rawRequest(port, head, body, 5000);
      if (process.env.RELIABILITY_DEBUG)
        slow.push({
          build: t1 - t0,
          send: Date.now() - t1,
          size: body.length,
          status: response.status,
          enc: testCase.encoding,
          muts: testCase.mutations.map((m) => m.kind),
          headers: testCase.headers.map((h) => h[0]),
        });
      statuses.push(response.status);
      // A client that sends more bytes than its Content-Length declared may see the server close (RST) before the answer.
      const acceptable = ACCEPTABLE.has(response.status) || (testCase.lieAboutLength && response.status === 'reset');
      if (!acceptable) problems.push(`${response.status}: ${response.body.slice(0, 300)}`);
      if (response.status === 202) {
        const answer = JSON.parse(response.body) as { decisions: Array<{ outcome: string }> };
        outcomes.push(...answer.decisions.map((decision) => decision.outcome));
      }
      if (response.body.includes(TEST_TOKEN)) problems.push(`token echoed in a ${response.status} body`);
      if (logLines.length > 2000) logLines.length = 0;
      return acceptable && swarm.updates.length === 0 && !response.body.includes(TEST_TOKEN);
    };

    // Warm up (JIT, lazily built caches), then measure the heap across the real run.
    await fc.assert(fc.asyncProperty(fuzzCase, send), { seed: SEED + 1, numRuns: 200 });
    logLines.length = 0;
    gc?.();
    const heapBefore = process.memoryUsage().heapUsed;
    const started = Date.now();
    await fc.assert(fc.asyncProperty(fuzzCase, send), { seed: SEED, numRuns: RUNS });
    const seconds = (Date.now() - started) / 1000;
    logLines.length = 0;
    gc?.();
    const heapAfter = process.memoryUsage().heapUsed;
    const growthMb = Math.round(((heapAfter - heapBefore) / 1024 / 1024) * 10) / 10;
    const alive = await rawRequest(port, requestHead('GET', '/healthz', []));
    if (process.env.RELIABILITY_DEBUG) {
      slow.sort((a, b) => b.build + b.send - a.build - a.send);
      console.log(
        `build total ${slow.reduce((sum, row) => sum + row.build, 0)} send total ${slow.reduce((sum, row) => sum + row.send, 0)}\n${slow
          .slice(0, 8)
          .map((row) => JSON.stringify(row))
          .join('\n')}`,
      );
    }

    reportResult({
      fault: 'fuzz-webhook',
      injected: `${RUNS} fast-check cases (seed ${SEED}) + 200 warm-up: mutated fixtures, wrong types, deep nesting to 20k, bad UTF-8, truncation, near/over BODY_LIMIT, 15+ content types, encodings, header abuse`,
      load: `in-process app over a FakeSwarm of 5 services that must not change; ${seconds.toFixed(1)} s`,
      lost: 0,
      wronglyChanged: swarm.updates.length,
      figures: { answers: histogram(statuses), outcomes: histogram(outcomes), heapGrowthMb: growthMb, gcAvailable: gc !== undefined, problems: problems.length },
    });
    expect(problems).toEqual([]);
    expect(swarm.updates).toEqual([]);
    expect(alive.status).toBe(200);
    expect(statuses.some((status) => status === 202)).toBe(true);
    expect(growthMb).toBeLessThan(gc ? 20 : 100);
  });
});
