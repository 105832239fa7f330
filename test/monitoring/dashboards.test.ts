import { Dashboard } from '../../grafana/generate/grafana';
import { renderDashboards } from '../../grafana/generate/dashboards';
import {
  alertscaleMetricNames,
  committedDashboards,
  dashboardQueries,
  exposedAlertscaleMetrics,
  provisionedDatasourceUid,
} from './support/repoFiles';

const REGENERATE = 'npm run generate:dashboards   (or: bash scripts/generate-dashboards.sh)';

describe('Grafana dashboards', () => {
  const committed = committedDashboards();
  const parsed = committed.map(({ file, text }) => ({ file, dashboard: JSON.parse(text) as Dashboard }));

  it('when the generator runs, then it produces exactly the committed grafana/dashboards/*.json', () => {
    const generated = renderDashboards();
    expect(committed.map((c) => c.file)).toEqual(generated.map((g) => g.file).sort());
    for (const { file, content } of generated) {
      const current = committed.find((c) => c.file === file)?.text;
      if (current !== content) {
        throw new Error(`grafana/dashboards/${file} differs from what grafana/generate/dashboards.ts produces.\nRegenerate it: ${REGENERATE}`);
      }
    }
  });

  it('when the committed dashboards are parsed, then each has a unique, stable uid and unique panel ids', () => {
    const uids = parsed.map((p) => p.dashboard.uid);
    expect(uids.sort()).toEqual(['alertscale', 'alertscale-services']);
    for (const { file, dashboard } of parsed) {
      expect({ file, uid: /^[a-z0-9-]{1,40}$/.test(dashboard.uid) }).toEqual({ file, uid: true });
      const ids = dashboard.panels.flatMap((p) => [p, ...(p.panels ?? [])]).map((p) => p.id);
      expect({ file, duplicateIds: ids.filter((id, i) => ids.indexOf(id) !== i) }).toEqual({ file, duplicateIds: [] });
      for (const p of dashboard.panels) {
        expect({ panel: p.title, fitsGrid: p.gridPos.x >= 0 && p.gridPos.x + p.gridPos.w <= 24 }).toEqual({ panel: p.title, fitsGrid: true });
      }
    }
  });

  it('when panels, targets, annotations and variables name a datasource, then it is the provisioned one (by uid)', () => {
    const uid = provisionedDatasourceUid();
    const wrong: string[] = [];
    for (const { file, dashboard } of parsed) {
      for (const p of dashboard.panels.flatMap((x) => [x, ...(x.panels ?? [])])) {
        if (p.type === 'row') continue;
        if (p.datasource?.uid !== uid) wrong.push(`${file} panel "${p.title}"`);
        if ((p.targets ?? []).length === 0) wrong.push(`${file} panel "${p.title}" has no query`);
        for (const t of p.targets ?? []) if (t.datasource.uid !== uid) wrong.push(`${file} panel "${p.title}" target ${t.refId}`);
      }
      for (const a of dashboard.annotations.list) if (a.datasource.uid !== uid) wrong.push(`${file} annotation "${a.name}"`);
      for (const v of dashboard.templating.list) if (v.datasource.uid !== uid) wrong.push(`${file} variable ${v.name}`);
    }
    expect(wrong).toEqual([]);
  });

  it('when the scaled-services dashboard is opened, then it is templated by $service', () => {
    for (const { file, dashboard } of parsed) {
      expect({ file, variables: dashboard.templating.list.map((v) => v.name) }).toEqual({ file, variables: ['service'] });
    }
    const services = parsed.find((p) => p.dashboard.uid === 'alertscale-services')?.dashboard;
    const exprs = (services?.panels ?? []).flatMap((p) => (p.targets ?? []).map((t) => t.expr));
    expect(exprs.length).toBeGreaterThan(0);
    expect(exprs.filter((e) => !e.includes('$service'))).toEqual([]);
  });

  it('when a dashboard queries an alertscale_* metric, then alertscale exposes it (src/adapters/observability/metrics.ts)', async () => {
    const exposed = await exposedAlertscaleMetrics();
    const unknown: string[] = [];
    let used = 0;
    for (const { file, dashboard } of parsed) {
      for (const q of dashboardQueries(file, dashboard)) {
        for (const name of alertscaleMetricNames(q.expr)) {
          used += 1;
          if (!exposed.has(name)) unknown.push(`${q.where}: ${name}`);
        }
      }
    }
    expect(used).toBeGreaterThan(10);
    expect(unknown).toEqual([]);
  });
});
