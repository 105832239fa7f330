import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkAlertContract } from '../../src/domain/alertContract';
import { ApiGroup, ApiRule, PrometheusApi, Sample } from '../../harness/prometheusApi';
import { RUNBOOK_BASE, alertscaleMetricNames, committedDashboards, parseDashboard, dashboardQueries, exposedAlertscaleMetrics, ruleFiles } from './support/repoFiles';
import { SyntheticTargets } from './support/syntheticTargets';
import { BIN, OwnedProcess, waitReady } from '../../harness/ownedProcess';
import { findFreePort, waitFor } from '../../harness/polling';
import { repoPath } from '../../harness/repoRoot';
import { makeTempDir, removeDir } from './support/tools';

/**
 * One real Prometheus (/usr/bin/prometheus) on 127.0.0.1, loading rules/*.rules.yml
 * as shipped (tuning included) and scraping synthetic targets every second.
 */
describe('rules and dashboards on a real Prometheus', () => {
  let tmp: string | undefined;
  let prometheus: OwnedProcess | undefined;
  let targets: SyntheticTargets | undefined;
  let api: PrometheusApi;
  let groups: ApiGroup[] = [];
  const rules = (): ApiRule[] => groups.flatMap((g) => g.rules);
  const alertingRules = (): ApiRule[] => rules().filter((r) => r.type === 'alerting');

  beforeAll(async () => {
    tmp = makeTempDir('prometheus');
    targets = new SyntheticTargets();
    const targetPort = await targets.start();
    const port = await findFreePort();
    const target = `['127.0.0.1:${targetPort}']`;
    const config = [
      'global: {scrape_interval: 1s, scrape_timeout: 1s, evaluation_interval: 1s}',
      `rule_files: ['${repoPath('rules')}/*.rules.yml']`,
      'scrape_configs:',
      `  - {job_name: alertscale, metrics_path: /alertscale, static_configs: [{targets: ${target}}]}`,
      `  - {job_name: swarm-services, metrics_path: /app, honor_labels: true, static_configs: [{targets: ${target}}]}`,
      `  - {job_name: cadvisor, metrics_path: /cadvisor, static_configs: [{targets: ${target}, labels: {service: alertscale_cadvisor}}]}`,
      `  - {job_name: rabbitmq-queues, metrics_path: /rabbitmq, static_configs: [{targets: ${target}}]}`,
      '',
    ].join('\n');
    writeFileSync(join(tmp, 'prometheus.yml'), config);
    prometheus = new OwnedProcess('prometheus', BIN.prometheus, [
      `--config.file=${join(tmp, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(tmp, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ]);
    const base = `http://127.0.0.1:${port}`;
    api = new PrometheusApi(base);
    await waitReady(prometheus, base);
    // Every rule evaluated at least once.
    groups = await waitFor(
      'every rule to be evaluated',
      async () => {
        const g = await api.groups();
        return g.length > 0 && g.every((x) => x.rules.every((r) => r.health !== 'unknown')) ? g : undefined;
      },
      20_000,
    );
  }, 60_000);

  afterAll(async () => {
    await prometheus?.stop();
    await targets?.stop();
    removeDir(tmp);
  });

  it('when Prometheus loads rules/*.rules.yml, then every file is loaded', () => {
    const loaded = [...new Set(groups.map((g) => g.file.split('/').pop()))].sort();
    expect(loaded).toEqual(ruleFiles());
  });

  it('when every rule has been evaluated on data, then none reports an error', async () => {
    // Evaluate a few more times with data flowing, then read rule health again.
    await waitFor('data from every synthetic target', async () => ((await api.samples('count(up == 1)'))[0]?.value[1] === '4' ? true : undefined), 15_000);
    await new Promise((r) => setTimeout(r, 3000));
    groups = await api.groups();
    const broken = rules()
      .filter((r) => r.health !== 'ok')
      .map((r) => `${r.name}: ${r.health} ${r.lastError ?? ''}`);
    expect(broken).toEqual([]);
  });

  it('when each rule expression is run through /api/v1/query, then Prometheus accepts it', async () => {
    const failures: string[] = [];
    for (const r of rules()) {
      const result = await api.query(r.query);
      if (!result.ok) failures.push(`${r.name}: ${result.error}\n  ${r.query}`);
    }
    expect(rules().length).toBeGreaterThan(30);
    expect(failures).toEqual([]);
  });

  it('when an annotation template queries Prometheus, then its query is valid', async () => {
    const failures: string[] = [];
    let count = 0;
    for (const r of alertingRules()) {
      for (const text of Object.values(r.annotations ?? {})) {
        for (const m of text.matchAll(/printf `([^`]*)` \$labels\.\w+ \| query/g)) {
          count += 1;
          const expr = (m[1] ?? '').replace(/%s/g, 'shop_api');
          const result = await api.query(expr);
          if (!result.ok) failures.push(`${r.name}: ${result.error}\n  ${expr}`);
        }
      }
    }
    expect(count).toBeGreaterThan(0);
    expect(failures).toEqual([]);
  });

  it('when each dashboard expression is run with its variables substituted, then Prometheus accepts it', async () => {
    const failures: string[] = [];
    let count = 0;
    for (const { file, text } of committedDashboards()) {
      for (const q of dashboardQueries(file, parseDashboard(text))) {
        count += 1;
        if (/\$\w/.test(q.expr)) failures.push(`${q.where}: unsubstituted variable in ${q.expr}`);
        const result = await api.query(q.expr);
        if (!result.ok) failures.push(`${q.where}: ${result.error}\n  ${q.expr}`);
      }
    }
    expect(count).toBeGreaterThan(20);
    expect(failures).toEqual([]);
  });

  it("when an alerting rule carries scale_service, then its labels and annotations pass the receiver's checkAlertContract", () => {
    const results = alertingRules()
      .filter((r) => r.labels?.scale_service !== undefined)
      .map((r) => {
        const render = (text: string): string =>
          text
            .replace(/\{\{\s*\$labels\.(\w+)\s*\}\}/g, (_, label: string) => (label === 'queue' ? 'demo.jobs' : label === 'vhost' ? '/' : 'shop_api'))
            .replace(/\{\{\s*\$value\s*\}\}/g, '7');
        const labels = Object.fromEntries(Object.entries(r.labels ?? {}).map(([k, v]) => [k, render(v)]));
        const annotations = Object.fromEntries(Object.entries(r.annotations ?? {}).map(([k, v]) => [k, render(v)]));
        const contract = checkAlertContract(labels, annotations);
        return {
          rule: r.name,
          templated: /\{\{/.test(`${labels.scale_service}${labels.scale_action}${annotations.scale_replicas ?? ''}`),
          contract: contract.kind === 'valid' ? { kind: 'valid', action: contract.action, service: contract.service } : contract,
        };
      });
    expect(results.map((r) => r.rule).sort()).toEqual([
      'QueueBacklogHigh',
      'QueueDesiredReplicas',
      'QueueIdle',
      'QueueOverProvisioned',
      'ServiceCPUHigh',
      'ServiceCPULow',
      'ServiceDesiredReplicas',
      'ServiceLatencyHigh',
      'ServiceLatencyLow',
      'ServiceMemoryHigh',
      'ServiceRequestRateLow',
    ]);
    for (const r of results) {
      expect(r).toEqual({ rule: r.rule, templated: false, contract: { kind: 'valid', action: expect.stringMatching(/^(up|down|to)$/), service: 'shop_api' } });
    }
    const to = alertingRules().find((r) => r.name === 'QueueDesiredReplicas');
    expect(to?.annotations?.scale_replicas).toBe('{{ $value }}');
    expect(to?.labels?.scale_action).toBe('to');
  });

  it('when an alert scales nothing, then it carries no scale_* label and is routed to people by component ("alertscale", or "service" for what scaling cannot fix)', () => {
    const selfAlerts = alertingRules().filter((r) => r.labels?.scale_service === undefined);
    expect(selfAlerts.length).toBeGreaterThanOrEqual(10);
    for (const r of selfAlerts) {
      const scaleLabels = Object.keys(r.labels ?? {}).filter((k) => k.startsWith('scale_'));
      const route = r.name === 'Watchdog' ? 'watchdog' : r.labels?.component;
      const expected = r.name === 'Watchdog' ? 'watchdog' : r.labels?.component === 'service' ? 'service' : 'alertscale';
      expect({ rule: r.name, scaleLabels, route }).toEqual({ rule: r.name, scaleLabels: [], route: expected });
    }
  });

  it('when any alert fires, then it has a summary, a description and a runbook_url to a runbook in docs/runbooks/', () => {
    const problems: string[] = [];
    for (const r of alertingRules()) {
      const a = r.annotations ?? {};
      for (const key of ['summary', 'description', 'runbook_url']) if (!a[key]?.trim()) problems.push(`${r.name}: no ${key}`);
      const url = a.runbook_url ?? '';
      if (!url.startsWith(RUNBOOK_BASE)) {
        problems.push(`${r.name}: runbook_url ${url} is not under ${RUNBOOK_BASE}`);
        continue;
      }
      const file = repoPath('docs', 'runbooks', url.slice(RUNBOOK_BASE.length));
      if (!existsSync(file)) problems.push(`${r.name}: ${file} does not exist`);
    }
    expect(problems).toEqual([]);
  });

  it('when a rule reads an alertscale_* metric, then alertscale exposes it (src/adapters/observability/metrics.ts)', async () => {
    const exposed = await exposedAlertscaleMetrics();
    const used = rules().flatMap((r) => alertscaleMetricNames(r.query).map((name) => ({ rule: r.name, name })));
    expect(used.length).toBeGreaterThan(5);
    expect(used.filter((u) => !exposed.has(u.name))).toEqual([]);
  });

  it('when a rule reads an alertscale:threshold:* series, then rules/tuning.rules.yml records it (opt-in-only ones as a commented example)', () => {
    const optInExamples = [...readFileSync(repoPath('rules', 'tuning.rules.yml'), 'utf8').matchAll(/^\s*# - record: (alertscale:threshold:\w+)$/gm)].map((m) => m[1] as string);
    const tuning = [...groups.filter((g) => g.file.endsWith('/tuning.rules.yml')).flatMap((g) => g.rules.map((r) => r.name)), ...optInExamples];
    const read = new Set(
      groups.filter((g) => !g.file.endsWith('/tuning.rules.yml')).flatMap((g) => g.rules.flatMap((r) => [...r.query.matchAll(/alertscale:threshold:\w+/g)].map((m) => m[0]))),
    );
    expect([...read].filter((name) => !tuning.includes(name))).toEqual([]);
    expect(tuning.filter((name) => name.startsWith('alertscale:threshold:') && !read.has(name))).toEqual([]);
  });

  it('when the shipped tuning is evaluated, then AlertscaleTuningInvalid finds nothing (hysteresis kept, queues mapped once, defaults present)', async () => {
    const rule = alertingRules().find((r) => r.name === 'AlertscaleTuningInvalid');
    expect(rule).toBeDefined();
    // Let the effective thresholds (one evaluation behind the tuning group) exist first.
    await waitFor('effective thresholds', async () => ((await api.samples('alertscale:effective_threshold:latency_p95_up_seconds')).length > 0 ? true : undefined), 15_000);
    const problems = (await api.samples(rule?.query ?? '')).map((s) => s.metric);
    expect(problems).toEqual([]);
  });

  it('when the data crosses the shipped thresholds, then the scale alerts render labels and scale_replicas the receiver accepts', async () => {
    const t = targets as SyntheticTargets;
    const value = (s: Sample): number => Number(s.value[1]);
    const key = (m: Record<string, string>): string => `${m.vhost ?? ''}|${m.queue ?? ''}`;
    const mapping = await api.samples('alertscale:queue_consumer:info');
    const perReplica = new Map((await api.samples('alertscale:threshold:queue_messages_per_replica')).map((s) => [key(s.metric), value(s)]));
    const readyUp = new Map((await api.samples('alertscale:effective_threshold:queue_ready_up_messages')).map((s) => [key(s.metric), value(s)]));
    const expected: Array<{ alertname: string; scale_service: string; scale_action: string; scale_replicas?: string }> = [];

    t.queues = mapping.map(({ metric }) => {
      const target = perReplica.get(key(metric));
      const service = metric.service ?? '';
      if (target !== undefined) {
        const ready = Math.ceil(6.5 * target);
        expected.push({ alertname: 'QueueDesiredReplicas', scale_service: service, scale_action: 'to', scale_replicas: String(Math.ceil((ready + 1) / target)) });
        return { vhost: metric.vhost ?? '/', queue: metric.queue ?? '', ready, unacked: 1, consumers: 2 };
      }
      expected.push({ alertname: 'QueueBacklogHigh', scale_service: service, scale_action: 'up' });
      return { vhost: metric.vhost ?? '/', queue: metric.queue ?? '', ready: (readyUp.get(key(metric)) ?? 100) * 10 + 1, unacked: 0, consumers: 1 };
    });
    t.cpu = (await api.samples('alertscale:threshold:cpu_up_cores')).map((s) => {
      expected.push({ alertname: 'ServiceCPUHigh', scale_service: s.metric.service ?? '', scale_action: 'up' });
      // rate(...[2m]) of a series a few seconds old is about (its age / 120s) of the real
      // rate: burn 120x the threshold so the 2m rate crosses it within seconds.
      return { service: s.metric.service ?? '', coresPerTask: (value(s) + 1) * 120 };
    });
    expected.push({ alertname: 'ServiceLatencyHigh', scale_service: 'shop_api', scale_action: 'up' });
    expect(expected.length).toBeGreaterThanOrEqual(3);

    const seen = (a: { labels: Record<string, string>; annotations: Record<string, string> }) => ({
      alertname: a.labels.alertname ?? '',
      scale_service: a.labels.scale_service ?? '',
      scale_action: a.labels.scale_action ?? '',
      ...(a.annotations.scale_replicas === undefined ? {} : { scale_replicas: a.annotations.scale_replicas }),
    });
    let got: unknown[] = [];
    const alerts = await waitFor(
      'every expected scale alert to be pending or firing',
      async () => {
        const all = (await api.alerts()).filter((a) => a.labels.scale_service !== undefined);
        got = all.map(seen);
        return expected.every((e) => got.some((g) => JSON.stringify(g) === JSON.stringify(e))) ? all : undefined;
      },
      25_000,
    ).catch((error: unknown) => {
      throw new Error(`${String(error)}\nexpected: ${JSON.stringify(expected)}\nseen: ${JSON.stringify(got)}`);
    });

    for (const a of alerts) {
      const contract = checkAlertContract(a.labels, a.annotations);
      expect({ alert: seen(a), contract: contract.kind }).toEqual({ alert: seen(a), contract: 'valid' });
      if (contract.kind === 'valid' && contract.action === 'to') expect(String(contract.target)).toBe(a.annotations.scale_replicas);
    }
    expect(alerts.filter((a) => a.labels.queue === 'unmapped.queue')).toEqual([]);
  }, 40_000);
});
