import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { readRepoFile, ruleFiles, ruleTestFiles } from './support/repoFiles';
import { BIN } from '../../harness/ownedProcess';
import { makeTempDir, removeDir, run } from './support/tools';

/** The parts of a rule file and a promtool test file these checks read. */
interface RuleFile {
  groups: Array<{ rules: Array<{ alert?: string; record?: string; for?: string }> }>;
}
interface RuleTestFile {
  tests: Array<{ alert_rule_test?: Array<{ alertname: string; exp_alerts?: unknown[] }> }>;
}

/** Where stack.yml mounts rules/*.rules.yml in the Prometheus container. */
const STACK_RULES_GLOB = '/etc/prometheus/rules/*.rules.yml';

describe('promtool and amtool', () => {
  let tmp: string | undefined;
  afterAll(() => removeDir(tmp));

  it('when promtool checks rules/*.rules.yml (lint fatal), then every file is valid', () => {
    const files = ruleFiles();
    expect(files).toEqual(expect.arrayContaining(['tuning.rules.yml', 'latency.rules.yml', 'queue.rules.yml', 'cpu.rules.yml', 'idle.rules.yml', 'alertscale.rules.yml']));
    const r = run(BIN.promtool, ['check', 'rules', '--lint=all', '--lint-fatal', ...files.map((f) => `rules/${f}`)]);
    expect({ code: r.code, output: r.output }).toEqual({ code: 0, output: expect.any(String) });
    expect(r.output.match(/SUCCESS: \d+ rules found/g)).toHaveLength(files.length);
  });

  it('when promtool runs the rule unit tests in rules/tests/, then they all pass', () => {
    const files = ruleTestFiles();
    expect(files.length).toBeGreaterThan(0);
    // The generated noise tests simulate 35-minute runs at 2 s: ~10 s alone, more on a busy machine.
    const r = run(BIN.promtool, ['test', 'rules', ...files.map((f) => `rules/tests/${f}`)], { timeoutMs: 100_000 });
    if (r.code !== 0) throw new Error(`promtool test rules failed:\n${r.output}`);
    expect(r.output.match(/SUCCESS/g)).toHaveLength(files.length);
  }, 120_000);

  it.each(['generate-noise-test.mjs', 'generate-http-noise-test.mjs'])('when %s runs with --check, then the committed noise test is what it writes', (generator) => {
    const r = run(process.execPath, [`rules/tests/${generator}`, '--check']);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
  });

  it('when an alert has a `for:`, then rules/tests/ checks it both silent before and firing after', () => {
    const alerts = ruleFiles().flatMap((f) =>
      (parse(readRepoFile('rules', f)) as RuleFile).groups
        .flatMap((group) => group.rules)
        .flatMap((rule) => (rule.alert === undefined ? [] : [{ name: rule.alert, hasFor: rule.for !== undefined }])),
    );
    expect(alerts.length).toBeGreaterThanOrEqual(17);
    // Each alert_rule_test of the tests: which alert, and whether it expects nothing.
    const checks = ruleTestFiles().flatMap((f) =>
      (parse(readRepoFile('rules', 'tests', f)) as RuleTestFile).tests
        .flatMap((test) => test.alert_rule_test ?? [])
        .map((check) => ({ alert: check.alertname, silent: (check.exp_alerts ?? []).length === 0 })),
    );
    const missing: string[] = [];
    for (const a of alerts) {
      const mine = checks.filter((c) => c.alert === a.name);
      if (!mine.some((c) => !c.silent)) missing.push(`${a.name}: no test where it fires`);
      if (a.hasFor && !mine.some((c) => c.silent)) missing.push(`${a.name}: no test where it is still silent`);
    }
    expect(missing).toEqual([]);
  });

  it('when promtool checks prometheus/prometheus.yml laid out like the stack mounts it, then the config and every rule file are valid', () => {
    tmp = makeTempDir('promcfg');
    const config = readRepoFile('prometheus', 'prometheus.yml');
    // promtool accepts a glob matching nothing, so point it at a real copy of the rules.
    expect(config).toContain(STACK_RULES_GLOB);
    mkdirSync(join(tmp, 'rules'));
    for (const f of ruleFiles()) copyFileSync(`${__dirname}/../../rules/${f}`, join(tmp, 'rules', f));
    const copy = join(tmp, 'prometheus.yml');
    writeFileSync(copy, config.split(STACK_RULES_GLOB).join(join(tmp, 'rules', '*.rules.yml')));
    const r = run(BIN.promtool, ['check', 'config', copy]);
    expect({ code: r.code, output: r.output }).toEqual({ code: 0, output: expect.stringContaining('SUCCESS') });
    expect(r.output.match(/SUCCESS: \d+ rules found/g)).toHaveLength(ruleFiles().length);
    for (const job of ['alertscale', 'rabbitmq-queues', 'swarm-services']) expect(config).toContain(`job_name: ${job}`);
    expect(config).toMatch(/family: \[queue_coarse_metrics, queue_consumer_count, channel_queue_exchange_metrics, channel_queue_metrics\]/);
  });

  it('when amtool checks alertmanager/alertmanager.yml, then it is valid (the credentials_file is read only at send time)', () => {
    const r = run(BIN.amtool, ['check-config', 'alertmanager/alertmanager.yml']);
    expect({ code: r.code, output: r.output }).toEqual({ code: 0, output: expect.stringContaining('SUCCESS') });
    expect(r.output).toContain('2 inhibit rules');
  });

  it.each([
    [{ scale_service: 'shop_api', scale_action: 'up', alertname: 'ServiceLatencyHigh' }, 'alertscale'],
    [{ scale_service: 'shop_worker', scale_action: 'to', alertname: 'QueueDesiredReplicas' }, 'alertscale'],
    [{ alertname: 'Watchdog', severity: 'none' }, 'alertscale'],
    [{ alertname: 'AlertscaleDown', component: 'alertscale', severity: 'critical' }, 'operators'],
    [{ alertname: 'ServiceMemoryNearLimit', component: 'service', severity: 'warning', service: 'shop_api' }, 'operators'],
    [{ scale_service: 'shop_api', scale_action: 'to', alertname: 'ServiceDesiredReplicas' }, 'alertscale'],
    [{ alertname: 'SomethingElse' }, 'default'],
  ])('when an alert with labels %j is routed, then it reaches the %s receiver', (labels, receiver) => {
    const r = run(BIN.amtool, ['config', 'routes', 'test', '--config.file=alertmanager/alertmanager.yml', ...Object.entries(labels).map(([k, v]) => `${k}=${v}`)]);
    expect({ code: r.code, receivers: r.stdout.trim() }).toEqual({ code: 0, receivers: receiver });
  });
});
