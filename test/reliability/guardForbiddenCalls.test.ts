/**
 * The Docker API guard on the real Swarm: every call alertscale must never make
 * is refused with 403 naming its rule and changes nothing (spec and version
 * compared before and after), and a seeded fuzz of mutated update calls never
 * changes anything but the replica count (within policy) and alertscale.state.*.
 */
import { callGuard, refusedRule, type GuardCall } from './support/guardCalls';
import { histogram, reportResult, seededRandom } from './support/report';
import { docker, uniqueName } from '../../harness/docker';
import { findFreePort, sleep } from '../../harness/polling';
import { startGuard, type RunningGuard } from '../../harness/startGuard';
import { createParkedService } from '../../harness/swarmServices';
import { useTestServices } from '../support/useTestServices';

jest.setTimeout(300_000);

const PREFIX = 'asrel-guard';
const LABELS = { 'alertscale.enabled': 'true', 'alertscale.min': '1', 'alertscale.max': '4' };
const BODY_LIMIT = 64 * 1024;
const FUZZ_CASES = Number(process.env.GUARD_FUZZ_CASES ?? 2000);
const FUZZ_SEED = Number(process.env.GUARD_FUZZ_SEED ?? 16);
const services = useTestServices(PREFIX);
const created = services.names;
let guard: RunningGuard;
let scaled: string;
let notOptedIn: string;
let metricsPort: number;

interface Inspected {
  id: string;
  version: number;
  spec: Record<string, any>;
}

async function inspect(name: string): Promise<Inspected> {
  const info = (await docker.getService(name).inspect()) as { ID: string; Version: { Index: number }; Spec: Record<string, any> };
  return { id: info.ID, version: info.Version.Index, spec: info.Spec };
}

/** Swarm bumps a new service's version by itself once (endpoint allocation): wait until it is settled. */
async function settled(name: string): Promise<Inspected> {
  let last = await inspect(name);
  for (;;) {
    await sleep(300);
    const next = await inspect(name);
    if (next.version === last.version) return next;
    last = next;
  }
}

/** The spec without what a scale may change. */
function withoutScaleFields(spec: Record<string, any>): Record<string, any> {
  const copy = structuredClone(spec);
  copy.Labels = Object.fromEntries(Object.entries((copy.Labels ?? {}) as Record<string, string>).filter(([key]) => !key.startsWith('alertscale.state.')));
  if (copy.Mode?.Replicated) delete copy.Mode.Replicated.Replicas;
  return copy;
}

const updatePath = (target: Inspected, query = `version=${target.version}`) => `/services/${target.id}/update?${query}`;
const specWith = (target: Inspected, change: (spec: Record<string, any>) => void) => {
  const spec = structuredClone(target.spec);
  change(spec);
  return JSON.stringify(spec);
};

beforeAll(async () => {
  scaled = uniqueName(PREFIX);
  notOptedIn = uniqueName(`${PREFIX}-plain`);
  created.push(scaled, notOptedIn);
  await createParkedService(scaled, LABELS, 2);
  await createParkedService(notOptedIn, { 'alertscale.max': '4' }, 2);
  metricsPort = await findFreePort();
  guard = await startGuard({ GUARD_BODY_LIMIT: String(BODY_LIMIT), MAX_REPLICAS_CEILING: '3', GUARD_METRICS_PORT: String(metricsPort) });
});

afterAll(async () => {
  await guard?.stop();
});

describe('the Docker API guard in front of the real Docker', () => {
  test('when alertscale scales through it, then the update passes and Docker still refuses a stale version', async () => {
    const target = await settled(scaled);
    const allowed = await callGuard(guard.port, {
      method: 'POST',
      path: updatePath(target),
      body: specWith(target, (spec) => ((spec.Mode.Replicated.Replicas = 3), (spec.Labels['alertscale.state.key'] = 'k1'))),
    });
    expect(allowed.status).toBe(200);
    expect((await inspect(scaled)).spec.Mode.Replicated.Replicas).toBe(3);
    const stale = await callGuard(guard.port, { method: 'POST', path: updatePath(target), body: specWith(target, (spec) => (spec.Mode.Replicated.Replicas = 2)) });
    expect(stale.status).toBe(500);
    expect(stale.body).toMatch(/update out of sequence/);
    expect((await inspect(scaled)).spec.Mode.Replicated.Replicas).toBe(3);
  });

  const forbidden: Array<[string, string, (target: Inspected, plain: Inspected) => GuardCall]> = [
    ['creating a service', 'endpoint', (t) => ({ method: 'POST', path: '/v1.41/services/create', body: JSON.stringify({ ...t.spec, Name: `${PREFIX}-created-${process.pid}` }) })],
    ['deleting a service', 'endpoint', (t) => ({ method: 'DELETE', path: `/v1.41/services/${t.id}` })],
    [
      'creating a container',
      'endpoint',
      () => ({
        method: 'POST',
        path: `/v1.41/containers/create?name=${PREFIX}-c-${process.pid}`,
        body: JSON.stringify({ Image: 'alertscale-test/busybox:latest', HostConfig: { Binds: ['/:/host'] } }),
      }),
    ],
    ['listing containers', 'endpoint', () => ({ method: 'GET', path: '/v1.41/containers/json' })],
    ['reading tasks in scale mode', 'endpoint', () => ({ method: 'GET', path: '/v1.41/tasks' })],
    ['PUT on the update endpoint', 'endpoint', (t) => ({ method: 'PUT', path: updatePath(t), body: JSON.stringify(t.spec) })],
    ['changing the image', 'spec_changed', (t) => ({ method: 'POST', path: updatePath(t), body: specWith(t, (s) => (s.TaskTemplate.ContainerSpec.Image = 'evil:latest')) })],
    [
      'changing the command',
      'spec_changed',
      (t) => ({ method: 'POST', path: updatePath(t), body: specWith(t, (s) => (s.TaskTemplate.ContainerSpec.Command = ['sh', '-c', 'id'])) }),
    ],
    [
      'adding a bind mount of /',
      'spec_changed',
      (t) => ({ method: 'POST', path: updatePath(t), body: specWith(t, (s) => (s.TaskTemplate.ContainerSpec.Mounts = [{ Type: 'bind', Source: '/', Target: '/host' }])) }),
    ],
    ['raising its own alertscale.max', 'spec_changed', (t) => ({ method: 'POST', path: updatePath(t), body: specWith(t, (s) => (s.Labels['alertscale.max'] = '1000')) })],
    ['replicas above alertscale.max', 'replicas', (t) => ({ method: 'POST', path: updatePath(t), body: specWith(t, (s) => (s.Mode.Replicated.Replicas = 5)) })],
    ['replicas above the ceiling, below alertscale.max', 'replicas', (t) => ({ method: 'POST', path: updatePath(t), body: specWith(t, (s) => (s.Mode.Replicated.Replicas = 4)) })],
    ['scaling to zero, below alertscale.min', 'replicas', (t) => ({ method: 'POST', path: updatePath(t), body: specWith(t, (s) => (s.Mode.Replicated.Replicas = 0)) })],
    ['scaling a service that did not opt in', 'not_enabled', (_t, p) => ({ method: 'POST', path: updatePath(p), body: specWith(p, (s) => (s.Mode.Replicated.Replicas = 3)) })],
    ['rollback=previous', 'query', (t) => ({ method: 'POST', path: updatePath(t, `version=${t.version}&rollback=previous`), body: JSON.stringify(t.spec) })],
    ['registryAuthFrom', 'query', (t) => ({ method: 'POST', path: updatePath(t, `version=${t.version}&registryAuthFrom=previous-spec`), body: JSON.stringify(t.spec) })],
    ['registry credentials in X-Registry-Auth', 'header', (t) => ({ method: 'POST', path: updatePath(t), body: JSON.stringify(t.spec), headers: [['X-Registry-Auth', 'e30=']] })],
    ['an encoded slash', 'path_syntax', (t) => ({ method: 'POST', path: `/v1.41/services/${t.id}%2Fupdate?version=${t.version}`, body: JSON.stringify(t.spec) })],
    [
      'an update naming an older API version (Docker would drop newer fields)',
      'endpoint',
      (t) => ({ method: 'POST', path: `/v1.40/services/${t.id}/update?version=${t.version}`, body: JSON.stringify(t.spec) }),
    ],
    [
      'a .. segment',
      'path_syntax',
      (t) => ({ method: 'POST', path: `/v1.41/services/x/../${t.id}/update?version=${t.version}`, body: specWith(t, (s) => (s.TaskTemplate.ContainerSpec.Image = 'evil')) }),
    ],
    ['a double slash', 'path_syntax', (t) => ({ method: 'POST', path: `/v1.41//services/${t.id}/update?version=${t.version}`, body: JSON.stringify(t.spec) })],
    ['mixed case', 'path_syntax', (t) => ({ method: 'POST', path: `/v1.41/Services/${t.id}/update?version=${t.version}`, body: JSON.stringify(t.spec) })],
    ['a body that is not JSON', 'body_json', (t) => ({ method: 'POST', path: updatePath(t), body: 'Mode=Global' })],
    ['a chunked body', 'body_framing', (t) => ({ method: 'POST', path: updatePath(t), body: specWith(t, (s) => (s.TaskTemplate.ContainerSpec.Image = 'evil')), chunked: true })],
    ['an oversized body', 'body_framing', (t) => ({ method: 'POST', path: updatePath(t), body: specWith(t, (s) => (s.Labels['alertscale.state.pad'] = 'x'.repeat(BODY_LIMIT))) })],
    [
      'duplicate JSON keys (Docker would keep the last)',
      'body_json',
      (t) => ({
        method: 'POST',
        path: updatePath(t),
        body: `{"TaskTemplate":${JSON.stringify(t.spec.TaskTemplate)},${specWith(t, (s) => (s.TaskTemplate.ContainerSpec.Image = 'evil')).slice(1)}`,
      }),
    ],
  ];

  test.each(forbidden)('when a client tries %s, then it is refused (%s) and nothing changes', async (_what, rule, build) => {
    const before = await settled(scaled);
    const plainBefore = await inspect(notOptedIn);
    const response = await callGuard(guard.port, build(before, plainBefore));
    expect(response.status).toBe(403);
    expect(refusedRule(response)).toBe(rule);
    expect(JSON.parse(response.body).message).toMatch(new RegExp(`rule ${rule}`));
    expect(await inspect(scaled)).toEqual(before);
    expect(await inspect(notOptedIn)).toEqual(plainBefore);
    const services = await docker.listServices({ filters: JSON.stringify({ name: [`${PREFIX}-created`] }) });
    expect(services).toHaveLength(0);
    const containers = await docker.listContainers({ all: true, filters: JSON.stringify({ name: [`${PREFIX}-c-`] }) });
    expect(containers).toHaveLength(0);
    expect(guard.output()).toMatch(new RegExp(`"rule":"${rule}"`));
  });

  test('when calls were refused, then the metric counts them by rule and the log has one line each', async () => {
    const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    const refusals = [...metrics.matchAll(/^alertscale_guard_refusals_total\{rule="(\w+)",guard_mode="scale"\} (\d+)$/gm)];
    const counted = Object.fromEntries(refusals.map((match) => [match[1], Number(match[2])]));
    const expected = histogram(forbidden.map(([, rule]) => rule));
    expect(counted).toEqual(expected);
    const logged = guard
      .output()
      .split('\n')
      .filter((line) => line.includes('"event":"refused"'));
    expect(logged).toHaveLength(forbidden.length);
  });

  test(`when ${FUZZ_CASES} seeded mutations of update calls arrive, then none changes anything but replicas within policy and alertscale.state.*`, async () => {
    const random = seededRandom(FUZZ_SEED);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
    const statuses: Array<string | number> = [];
    const violations: string[] = [];
    let applied = 0;
    let current = await settled(scaled);
    for (let index = 0; index < FUZZ_CASES; index += 1) {
      // Half the cases follow an inspect through the guard, as alertscale's do: the guard then compares against the spec it proxied.
      if (index % 2 === 0) await callGuard(guard.port, { method: 'GET', path: `/services/${current.id}` });
      const call = mutateUpdate(current, pick, random);
      const response = await callGuard(guard.port, call);
      const after = await inspect(scaled);
      statuses.push(refusedRule(response) ?? response.status);
      if (after.version !== current.version) {
        applied += 1;
        const replicas = after.spec.Mode?.Replicated?.Replicas;
        if (JSON.stringify(withoutScaleFields(after.spec)) !== JSON.stringify(withoutScaleFields(current.spec)))
          violations.push(`case ${index}: spec changed beyond replicas/state: ${JSON.stringify(call).slice(0, 300)}`);
        if (!(replicas >= 1 && replicas <= 3)) violations.push(`case ${index}: replicas ${replicas} outside 1..3`);
        if (response.status !== 200) violations.push(`case ${index}: changed but answered ${response.status}`);
      } else if (response.status === 200) {
        violations.push(`case ${index}: answered 200 but nothing changed`);
      }
      current = after;
    }
    const counts = histogram(statuses);
    reportResult({
      fault: 'guard-fuzz',
      injected: `${FUZZ_CASES} mutated update calls (seed ${FUZZ_SEED}) straight to the guard`,
      load: 'one parked service, min 1, max 4, ceiling 3',
      lost: 0,
      wronglyChanged: violations.length,
      figures: { applied, outcomes: counts },
    });
    expect(violations).toEqual([]);
    expect(applied).toBeGreaterThan(FUZZ_CASES / 20);
    expect(Object.keys(counts).length).toBeGreaterThan(6);
  });
});

const KEY_NAMES = ['Image', 'labels', 'Mounts', 'Privileges', 'mode', 'Name', 'Env', 'Networks', 'CapabilityAdd', '__proto__', 'Replicas', 'Global'];
const PATHS = [
  (t: Inspected) => `/v1.41/services/${t.id}%2Fupdate`,
  (t: Inspected) => `/v1.41/services/../services/${t.id}/update`,
  (t: Inspected) => `//services/${t.id}/update`,
  (t: Inspected) => `/v1.41/Services/${t.id}/update`,
  (t: Inspected) => `/v1.41/services/${t.id}/update/`,
  (t: Inspected) => `/v1.41/services/${t.id}/./update`,
  (t: Inspected) => `/services/${t.spec.Name}/update`,
  (t: Inspected) => `/v1.41/services/${t.id}/update`,
  (t: Inspected) => `/v1.40/services/${t.id}/update`,
  (t: Inspected) => `/v1.41/services/${t.id}/rollback`,
  () => '/v1.41/services/create',
  (t: Inspected) => `/services/${t.id.slice(0, 6)}/update`,
];
const QUERIES = [
  (t: Inspected) => `version=${t.version}&rollback=previous`,
  (t: Inspected) => `version=${t.version}&registryAuthFrom=spec`,
  (t: Inspected) => `version=${t.version - 1}`,
  (t: Inspected) => `version=${t.version + 1}`,
  () => '',
  (t: Inspected) => `version=${t.version}&version=${t.version}`,
  (t: Inspected) => `%76ersion=${t.version}`,
  (t: Inspected) => `version=${t.version};rollback=previous`,
  (t: Inspected) => `version=0${t.version}`,
];

/** Every leaf path of a JSON value. */
function leafPaths(value: unknown, path: string[] = []): string[][] {
  if (value === null || typeof value !== 'object') return [path];
  return Object.entries(value as Record<string, unknown>).flatMap(([key, child]) => leafPaths(child, [...path, key]));
}

function containerOf(spec: Record<string, any>, path: string[]): Record<string, any> {
  return path.slice(0, -1).reduce((node, key) => node[key], spec);
}

/** One fuzz case: the current spec, changed in one to three ways (body, framing, path, query, method, headers). */
function mutateUpdate(target: Inspected, pick: <T>(items: readonly T[]) => T, random: () => number): GuardCall {
  const spec = structuredClone(target.spec);
  let method = 'POST';
  let path = `/services/${target.id}/update`;
  let query = `version=${target.version}`;
  const headers: Array<[string, string]> = [];
  let chunked = false;
  let text: string | undefined;
  const mutations = 1 + Math.floor(random() * 3);
  for (let step = 0; step < mutations; step += 1) {
    const kind = random();
    if (kind < 0.3) spec.Mode.Replicated.Replicas = pick([-1, 0, 1, 2, 3, 4, 5, 50, '2', 2.5, null, 1e3]);
    else if (kind < 0.45) spec.Labels[`alertscale.state.${pick(['key', 'at', 'from', 'action', 'extra'])}`] = pick(['x', '', 'up', '2026-12-01T00:00:00Z', 7, null, { a: 1 }]);
    else if (kind < 0.55) {
      const leaf = pick(leafPaths(spec));
      if (leaf.length > 0) {
        const parent = containerOf(spec, leaf);
        const key = leaf[leaf.length - 1] as string;
        const value = parent[key];
        parent[key] = typeof value === 'number' ? value + 1 : typeof value === 'boolean' ? !value : typeof value === 'string' ? `${value}x` : 'changed';
      }
    } else if (kind < 0.62) {
      const objects = leafPaths(spec)
        .map((leaf) => leaf.slice(0, -1))
        .filter((prefix) => typeof containerOf(spec, [...prefix, '']) === 'object');
      const parent = containerOf(spec, [...pick(objects), '']);
      if (parent && typeof parent === 'object' && !Array.isArray(parent))
        Object.defineProperty(parent, pick(KEY_NAMES), { value: pick(['evil', 1, true, {}, []]), enumerable: true, configurable: true, writable: true });
    } else if (kind < 0.67) {
      const leaf = pick(leafPaths(spec));
      if (leaf.length > 1) delete containerOf(spec, leaf)[leaf[leaf.length - 1] as string];
    } else if (kind < 0.72)
      spec.Labels[pick(['alertscale.max', 'alertscale.min', 'alertscale.enabled', 'alertscale.paused', 'com.docker.stack.image'])] = pick(['100', '0', 'false', 'true', 'x']);
    else if (kind < 0.8) path = pick(PATHS)(target);
    else if (kind < 0.87) query = pick(QUERIES)(target);
    else if (kind < 0.9) method = pick(['PUT', 'PATCH', 'DELETE', 'GET', 'post']);
    else if (kind < 0.94) {
      const header = pick<[string, string] | 'chunked'>([
        ['X-Registry-Auth', 'e30='],
        ['Content-Type', 'text/plain'],
        ['Expect', '100-continue'],
        'chunked',
        ['X-Forwarded-For', '127.0.0.1'],
      ]);
      if (header === 'chunked') chunked = true;
      else headers.push(header);
    } else {
      const body = JSON.stringify(spec);
      text = pick([
        `${body} {"Name":"x"}`,
        `{"Mode":{"Global":{}},${body.slice(1)}`,
        body.slice(0, Math.floor(body.length / 2)),
        `\ufeff${body}`,
        body.replace('"Labels"', '"\\u004cabels"'),
        ` \n${body}\n `,
        body.replace('"Name"', '"name"'),
      ]);
    }
  }
  return { method, path: query ? `${path}?${query}` : path, body: text ?? JSON.stringify(spec), headers, chunked };
}
