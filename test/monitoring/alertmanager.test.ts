import { readFileSync, writeFileSync } from 'node:fs';
import { Server, createServer } from 'node:http';
import { join } from 'node:path';
import { BIN, OwnedProcess, waitReady } from '../../harness/ownedProcess';
import { findFreePort, sleep, waitFor } from '../../harness/polling';
import { repoPath } from '../../harness/repoRoot';
import { makeTempDir, removeDir } from './support/tools';

interface Notification {
  authorization: string | undefined;
  body: {
    receiver: string;
    status: string;
    version: string;
    groupLabels: Record<string, string>;
    alerts: Array<{ status: string; labels: Record<string, string>; annotations: Record<string, string> }>;
  };
}

interface AmAlert {
  labels: Record<string, string>;
  status: { state: string; inhibitedBy: string[]; silencedBy: string[] };
}

const TOKEN = 'test-token-3f9c';

/**
 * The real Alertmanager (/usr/bin/prometheus-alertmanager) with
 * alertmanager/alertmanager.yml, only the webhook URL and the token file
 * rewritten to 127.0.0.1 / a temp file: routing, grouping, inhibition and the
 * Authorization header, end to end.
 */
describe('alertmanager/alertmanager.yml on a real Alertmanager', () => {
  let tmp: string | undefined;
  let alertmanager: OwnedProcess | undefined;
  let webhook: Server | undefined;
  let base = '';
  const received: Notification[] = [];

  const alert = (labels: Record<string, string>, annotations: Record<string, string> = {}) => ({
    labels,
    annotations: { summary: labels.alertname ?? '', ...annotations },
    // Starting now, as Prometheus sends a newly firing alert: Alertmanager sends an alert that started
    // more than group_wait ago at once, before its inhibitor may have seen the up alert of the same batch
    // (prometheus/alertmanager#4064), which made the inhibition test fail on a busy machine.
    startsAt: new Date().toISOString(),
    endsAt: new Date(Date.now() + 600_000).toISOString(),
    generatorURL: 'http://127.0.0.1/graph',
  });

  beforeAll(async () => {
    tmp = makeTempDir('alertmanager');
    webhook = createServer((req, res) => {
      let data = '';
      req.on('data', (c: Buffer) => (data += c.toString()));
      req.on('end', () => {
        received.push({ authorization: req.headers.authorization, body: JSON.parse(data) as Notification['body'] });
        res.writeHead(202, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((r) => webhook?.listen(0, '127.0.0.1', r));
    const address = webhook.address();
    if (address === null || typeof address === 'string') throw new Error('no address');

    const original = readFileSync(repoPath('alertmanager', 'alertmanager.yml'), 'utf8');
    const url = 'http://alertscale:8080/webhook';
    const secret = '/run/secrets/alertscale_webhook_token';
    expect(original.split(url)).toHaveLength(2);
    expect(original.split(secret)).toHaveLength(2);
    writeFileSync(join(tmp, 'token'), `${TOKEN}\n`);
    writeFileSync(join(tmp, 'alertmanager.yml'), original.replace(url, `http://127.0.0.1:${address.port}/webhook`).replace(secret, join(tmp, 'token')));

    const port = await findFreePort();
    base = `http://127.0.0.1:${port}`;
    alertmanager = new OwnedProcess('alertmanager', BIN.alertmanager, [
      `--config.file=${join(tmp, 'alertmanager.yml')}`,
      `--storage.path=${join(tmp, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--cluster.listen-address=',
      '--log.level=warn',
    ]);
    await waitReady(alertmanager, base);

    const res = await fetch(`${base}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([
        alert({ alertname: 'ServiceLatencyHigh', service: 'shop_api', scale_service: 'shop_api', scale_action: 'up' }),
        alert({ alertname: 'ServiceCPUHigh', service: 'shop_api', scale_service: 'shop_api', scale_action: 'up' }),
        alert({ alertname: 'ServiceCPULow', service: 'shop_api', scale_service: 'shop_api', scale_action: 'down' }),
        alert({ alertname: 'ServiceLatencyLow', service: 'shop_web', scale_service: 'shop_web', scale_action: 'down' }),
        alert({ alertname: 'QueueDesiredReplicas', queue: 'jobs', scale_service: 'shop_worker', scale_action: 'to' }, { scale_replicas: '7' }),
        alert({ alertname: 'Watchdog', severity: 'none' }),
        alert({ alertname: 'AlertscaleDown', component: 'alertscale', severity: 'critical' }),
        alert({ alertname: 'AlertscaleWebhookErrors', component: 'alertscale', severity: 'warning', code: '503' }),
      ]),
    });
    expect(res.status).toBe(200);
    // group_wait is 5s on the alertscale routes: wait for the four groups, then a little longer.
    await waitFor('4 webhook notifications', async () => (received.length >= 4 ? true : undefined), 20_000).catch((error: unknown) => {
      throw new Error(`${String(error)}: got ${JSON.stringify(received.map((n) => n.body.groupLabels))}\n${alertmanager?.output ?? ''}`);
    });
    await sleep(1500);
  }, 60_000);

  afterAll(async () => {
    await alertmanager?.stop();
    await new Promise<void>((r) => (webhook ? webhook.close(() => r()) : r()));
    removeDir(tmp);
  });

  const groupOf = (n: Notification): string => JSON.stringify(n.body.groupLabels);

  it('when scale alerts fire, then alertscale gets one notification per (scale_service, scale_action) with the bearer token from the file', () => {
    const groups = received.map(groupOf).sort();
    expect(groups).toEqual(
      [
        { alertname: 'Watchdog' },
        { scale_action: 'down', scale_service: 'shop_web' },
        { scale_action: 'to', scale_service: 'shop_worker' },
        { scale_action: 'up', scale_service: 'shop_api' },
      ]
        .map((g) => JSON.stringify(g))
        .sort(),
    );
    for (const n of received) {
      expect({ group: groupOf(n), authorization: n.authorization, receiver: n.body.receiver, version: n.body.version }).toEqual({
        group: groupOf(n),
        authorization: `Bearer ${TOKEN}`,
        receiver: 'alertscale',
        version: '4',
      });
    }
    const up = received.find((n) => n.body.groupLabels.scale_action === 'up');
    expect(up?.body.alerts.map((a) => a.labels.alertname).sort()).toEqual(['ServiceCPUHigh', 'ServiceLatencyHigh']);
    const to = received.find((n) => n.body.groupLabels.scale_action === 'to');
    expect(to?.body.alerts[0]?.annotations.scale_replicas).toBe('7');
  });

  it('when a service has a firing up alert, then its down alert is inhibited and never reaches alertscale', async () => {
    expect(received.filter((n) => n.body.groupLabels.scale_service === 'shop_api' && n.body.groupLabels.scale_action === 'down')).toEqual([]);
    const alerts = (await (await fetch(`${base}/api/v2/alerts`)).json()) as AmAlert[];
    const down = alerts.find((a) => a.labels.alertname === 'ServiceCPULow');
    expect(down?.status.state).toBe('suppressed');
    expect(down?.status.inhibitedBy.length).toBe(1);
    const otherDown = alerts.find((a) => a.labels.alertname === 'ServiceLatencyLow');
    expect(otherDown?.status).toEqual({ state: 'active', inhibitedBy: [], silencedBy: [] });
  });

  it('when AlertscaleDown fires, then it hides its symptoms but never the Watchdog, and none of it goes to the scaler', async () => {
    const alerts = (await (await fetch(`${base}/api/v2/alerts`)).json()) as AmAlert[];
    const state = (name: string) => alerts.find((a) => a.labels.alertname === name)?.status;
    expect(state('AlertscaleDown')).toEqual({ state: 'active', inhibitedBy: [], silencedBy: [] });
    expect(state('AlertscaleWebhookErrors')?.state).toBe('suppressed');
    expect(state('Watchdog')).toEqual({ state: 'active', inhibitedBy: [], silencedBy: [] });
    expect(received.filter((n) => n.body.alerts.some((a) => a.labels.component === 'alertscale'))).toEqual([]);
  });
});
