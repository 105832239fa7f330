import { readFileSync, readdirSync } from 'node:fs';
import { parse } from 'yaml';
import type { Dashboard, Panel, RowPanel } from '@grafana/grafana-foundation-sdk/dashboard';
import type { dataquery as PromQuery } from '@grafana/grafana-foundation-sdk/prometheus';
import { repoPath } from '../../../harness/repoRoot';
import { createMetrics } from '../../../src/adapters/observability/metrics';

export const RUNBOOK_BASE = 'https://github.com/alertscale/alertscale/blob/main/docs/runbooks/';

/** rules/*.rules.yml, the files Prometheus loads (rules/tests/ holds promtool tests). */
export function ruleFiles(): string[] {
  return readdirSync(repoPath('rules'))
    .filter((f) => f.endsWith('.rules.yml'))
    .sort();
}

export function ruleTestFiles(): string[] {
  return readdirSync(repoPath('rules', 'tests'))
    .filter((f) => f.endsWith('.test.yml'))
    .sort();
}

export const readRepoFile = (...parts: string[]): string => readFileSync(repoPath(...parts), 'utf8');

export function committedDashboards(): Array<{ file: string; text: string }> {
  return readdirSync(repoPath('grafana', 'dashboards'))
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => ({ file, text: readRepoFile('grafana', 'dashboards', file) }));
}

/** The datasource uid provisioned in grafana/provisioning/datasources/ (one datasource). */
export function provisionedDatasourceUid(): string {
  const dir = repoPath('grafana', 'provisioning', 'datasources');
  const uids = readdirSync(dir)
    .filter((f) => f.endsWith('.yml') || f.endsWith('.yaml'))
    .flatMap((f) => ((parse(readFileSync(`${dir}/${f}`, 'utf8')) as { datasources?: Array<{ uid?: string }> }).datasources ?? []).map((d) => d.uid));
  if (uids.length !== 1 || uids[0] === undefined) throw new Error(`expected one provisioned datasource uid, found ${JSON.stringify(uids)}`);
  return uids[0];
}

/** Grafana template variables and macros, replaced by values Prometheus accepts. */
function substituteGrafanaVariables(expr: string): string {
  return expr
    .replace(/\$__rate_interval|\$__interval/g, '1m')
    .replace(/\$__range/g, '1h')
    .replace(/\$service\b/g, '.*');
}

/** `label_values(selector, label)` is a Grafana function; this is the PromQL it stands for. */
function variableQueryToPromql(query: string): string {
  const m = /^label_values\((.*),\s*(\w+)\)$/s.exec(query.trim());
  if (!m) throw new Error(`unsupported variable query: ${query}`);
  return `group by (${m[2]}) (${m[1]})`;
}

export interface DashboardQuery {
  where: string;
  expr: string;
}

/** A committed dashboard, read with the SDK's types. */
export function parseDashboard(text: string): Dashboard {
  return JSON.parse(text) as Dashboard;
}

/** Every panel of a dashboard, rows and the panels inside rows included. */
export function allPanels(d: Dashboard): Array<Panel | RowPanel> {
  return (d.panels ?? []).flatMap((p) => [p, ...(p.type === 'row' ? (p as RowPanel).panels : [])]);
}

/** A panel's Prometheus queries (none for a row). */
export function promTargets(p: Panel | RowPanel): PromQuery[] {
  return p.type === 'row' ? [] : (((p as Panel).targets ?? []) as PromQuery[]);
}

/** Every PromQL expression of a dashboard: panel targets, annotations, variables. */
export function dashboardQueries(file: string, d: Dashboard): DashboardQuery[] {
  const out: DashboardQuery[] = [];
  for (const p of allPanels(d)) {
    for (const t of promTargets(p)) out.push({ where: `${file} panel "${p.title}" ${t.refId}`, expr: substituteGrafanaVariables(t.expr) });
  }
  for (const a of d.annotations.list ?? []) out.push({ where: `${file} annotation "${a.name}"`, expr: substituteGrafanaVariables(a.expr ?? '') });
  for (const v of d.templating.list ?? [])
    out.push({ where: `${file} variable $${v.name}`, expr: variableQueryToPromql(typeof v.query === 'string' ? v.query : JSON.stringify(v.query)) });
  return out;
}

/**
 * `alertscale_*` metric names used by a PromQL expression. String literals are
 * dropped first (a label value such as service="alertscale_worker" is a Swarm
 * service, not a metric); recording rules (alertscale:...) never match.
 */
export function alertscaleMetricNames(expr: string): string[] {
  const code = expr.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""');
  return [...new Set([...code.matchAll(/\balertscale_[a-z0-9_]+/g)].map((m) => m[0]))].sort();
}

/** Every series name alertscale exposes, from its own prom-client registry. */
export async function exposedAlertscaleMetrics(): Promise<Set<string>> {
  const { registry } = createMetrics();
  const names = new Set<string>();
  for (const m of await registry.getMetricsAsJSON()) {
    const type = String(m.type);
    if (type === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(`${m.name}${suffix}`);
    else if (type === 'summary') for (const suffix of ['', '_sum', '_count']) names.add(`${m.name}${suffix}`);
    else names.add(m.name);
  }
  registry.clear();
  return names;
}
