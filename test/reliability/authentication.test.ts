/**
 * Authentication under abuse: missing, wrong, wrong-scheme and almost-right
 * tokens, as fixed cases and as a seeded property (the token wrapped in random
 * prefixes and suffixes). Only the exact credential passes; nothing scales
 * otherwise; the token (and near misses of it) never appear in a response body,
 * in /metrics or in a log line, in-process and in the real process's output.
 */
import fc from 'fast-check';
import { listenOnLoopback, type LoopbackServer } from '../../harness/listenOnLoopback';
import { FakeSwarm } from '../support/fakeSwarm';
import { TEST_TOKEN, createTestApp } from '../support/createTestApp';
import { rawRequest, requestHead } from './support/rawHttp';
import { histogram, reportResult } from './support/report';
import { startAlertscale } from '../../harness/startAlertscale';
import { aService } from '../support/builders';
import { loadFixture, refired } from '../../harness/notifications';

jest.setTimeout(60_000);

let served: LoopbackServer | undefined;
let port: number;
let swarm: FakeSwarm;
let logLines: string[];

beforeAll(async () => {
  swarm = new FakeSwarm();
  swarm.add(aService({ 'alertscale.cooldown.up': '0s', 'alertscale.max': '1000' }, { updatedAt: new Date(Date.now() - 3600_000).toISOString() }));
  const built = await createTestApp(swarm);
  logLines = built.logLines;
  served = await listenOnLoopback(built.app);
  port = served.port;
});

afterAll(async () => {
  await served?.close();
});

/** A fresh firing notification for shop_worker (new startsAt, so never a duplicate). */
function body(): Buffer {
  return Buffer.from(JSON.stringify(refired(loadFixture('firing-one-alert'))));
}

async function send(authorization: string | undefined, extra: Array<[string, string]> = [], path = '/webhook') {
  const payload = body();
  const headers: Array<[string, string]> = [['Content-Type', 'application/json'], ['Content-Length', String(payload.length)], ...extra];
  if (authorization !== undefined) headers.push(['Authorization', authorization]);
  return rawRequest(port, requestHead('POST', path, headers), payload);
}

const T = TEST_TOKEN;
const WRONG: Array<[string, string | undefined, Array<[string, string]>?, string?]> = [
  ['missing', undefined],
  ['empty', ''],
  ['scheme only', 'Bearer'],
  ['scheme and space', 'Bearer '],
  ['wrong token', 'Bearer wrong'],
  ['Basic scheme', `Basic ${T}`],
  ['Basic base64', `Basic ${Buffer.from(`alertmanager:${T}`).toString('base64')}`],
  ['Token scheme', `Token ${T}`],
  ['no scheme', T],
  ['one character short', `Bearer ${T.slice(0, -1)}`],
  ['one character more', `Bearer ${T}x`],
  ['last character changed', `Bearer ${T.slice(0, -1)}${T.endsWith('s') ? 't' : 's'}`],
  ['upper case', `Bearer ${T.toUpperCase()}`],
  ['tab separator', `Bearer\t${T}`],
  ['token twice', `Bearer ${T} ${T}`],
  ['token twice, comma', `Bearer ${T}, Bearer ${T}`],
  ['prefix only', `Bearer ${T.slice(0, 8)}`],
  ['homoglyph', `Bearer ${T.replace('s', 'ѕ')}`],
  ['NUL byte', `Bearer ${T}\u0000`],
  ['token in the query string', undefined, [], `/webhook?token=${T}`],
  ['token in another header', undefined, [['X-Webhook-Token', T]]],
  ['token as a cookie', undefined, [['Cookie', `token=${T}`]]],
];

describe('webhook authentication', () => {
  test('when the token is missing, wrong, in the wrong scheme or almost right, then 401 and nothing scales; the exact token scales; the token appears in no body, metric or log line', async () => {
    const statuses: Array<string | number> = [];
    const bodies: string[] = [];
    const failures: string[] = [];
    for (const [what, authorization, extra, path] of WRONG) {
      const response = await send(authorization, extra ?? [], path ?? '/webhook');
      statuses.push(response.status);
      bodies.push(response.body);
      // Node refuses a NUL in a header with a bare 400 before alertscale sees it: also a refusal.
      const refused = response.status === 401 || (what === 'NUL byte' && response.status === 400);
      if (!refused) failures.push(`${what}: ${response.status}`);
    }
    expect(failures).toEqual([]);
    expect(swarm.updates).toHaveLength(0);

    const lowerScheme = await send(`bearer ${T}`); // RFC 9110: the scheme is case-insensitive
    const trailingSpace = await send(`Bearer ${T} `); // HTTP strips whitespace around a field value
    const severalSpaces = await send(`Bearer   ${T}`); // RFC 9110: auth-scheme 1*SP token68
    const exact = await send(`Bearer ${T}`);
    expect([lowerScheme.status, trailingSpace.status, severalSpaces.status, exact.status]).toEqual([202, 202, 202, 202]);
    expect(swarm.updates).toHaveLength(4);

    const metrics = await rawRequest(port, requestHead('GET', '/metrics', []));
    const decisions = await rawRequest(port, requestHead('GET', '/api/v1/decisions', []));
    const everything = [...bodies, metrics.body, decisions.body, ...logLines].join('\n');
    const needles = [T, T.slice(0, -1), T.toUpperCase(), T.slice(4)];
    const leaks = needles.filter((needle) => everything.includes(needle));
    reportResult({
      fault: 'auth-fixed-cases',
      injected: `${WRONG.length} missing/wrong/wrong-scheme/almost-right credentials`,
      load: 'in-process app, FakeSwarm with one scalable service',
      lost: 0,
      wronglyChanged: swarm.updates.length - 4,
      figures: { answers: histogram(statuses), tokenLeaks: leaks.length, logLinesChecked: logLines.length },
    });
    expect(leaks).toEqual([]);
  });

  test('when 1500 seeded random Authorization values wrap the token in prefixes and suffixes, then only "Bearer <token>" (any case of the scheme, one or more spaces) passes', async () => {
    const before = swarm.updates.length;
    let accepted = 0;
    const wrapped = fc.record({
      scheme: fc.constantFrom('Bearer ', 'bearer ', 'BEARER ', 'Bearer', 'Basic ', '', 'Bearer  ', ' Bearer '),
      prefix: fc.oneof(fc.constant(''), fc.string({ maxLength: 4, unit: 'grapheme-ascii' })),
      suffix: fc.oneof(fc.constant(''), fc.string({ maxLength: 4, unit: 'grapheme-ascii' })),
      cut: fc.integer({ min: 0, max: 2 }),
    });
    await fc.assert(
      fc.asyncProperty(wrapped, async ({ scheme, prefix, suffix, cut }) => {
        const token = `${prefix}${T.slice(0, T.length - cut)}${suffix}`.replace(/[\r\n]/g, '');
        const header = `${scheme}${token}`;
        const response = await send(header);
        // Node trims surrounding whitespace of header values, as any HTTP server may.
        // RFC 9110: the scheme, one or more spaces, the token.
        const exact = /^bearer +(.*)$/i.exec(header.trim())?.[1] === T;
        if (response.status === 202) {
          accepted += 1;
          // Keep the service clear of MAX_REPLICAS_CEILING (100), so every accepted request is a real scale.
          const service = swarm.services.get('shop_worker');
          if (service) service.replicas = 2;
        }
        return exact ? response.status === 202 : response.status === 401 || response.status === 400;
      }),
      { seed: 1128, numRuns: 1500 },
    );
    const leaked = logLines.some((line) => line.includes(T));
    reportResult({
      fault: 'auth-property',
      injected: '1500 seeded Authorization values: token with random prefix/suffix/cut, 8 scheme spellings',
      load: 'in-process app',
      lost: 0,
      wronglyChanged: swarm.updates.length - before - accepted,
      figures: { accepted, tokenInLogs: leaked },
    });
    expect(swarm.updates.length - before).toBe(accepted);
    expect(leaked).toBe(false);
  });

  test('when the real process is probed with wrong tokens and cannot reach Docker, then its output never contains the token', async () => {
    const token = 'real-process-secret-7f3a9c';
    const instance = await startAlertscale({ WEBHOOK_TOKEN: token, LOG_LEVEL: 'debug', DOCKER_HOST: 'tcp://127.0.0.1:1', DOCKER_RETRY_DEADLINE: '300ms' });
    for (const authorization of [`Bearer ${token.slice(0, -1)}`, `Basic ${token}`, `Bearer ${token}x`]) {
      await fetch(`${instance.url}/webhook`, { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: authorization }, body: '{}' });
    }
    // With the right token and Docker unreachable: a 503 whose message and log lines must not carry it either.
    const unavailable = await fetch(`${instance.url}/webhook`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
      body: JSON.stringify(loadFixture('firing-one-alert')),
    });
    const unavailableBody = await unavailable.text();
    await instance.stop();
    expect(unavailable.status).toBe(503);
    expect(`${instance.output()}${unavailableBody}`).not.toContain(token.slice(0, 12));
  });
});
