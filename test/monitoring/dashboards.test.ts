import { renderDashboards } from '../../grafana/generate/dashboards';
import {
  allPanels,
  alertscaleMetricNames,
  committedDashboards,
  dashboardQueries,
  exposedAlertscaleMetrics,
  parseDashboard,
  promTargets,
  provisionedDatasourceUid,
} from './support/repoFiles';

const REGENERATE = 'npm run generate:dashboards   (or: bash scripts/generate-dashboards.sh)';

describe('Grafana dashboards', () => {
  const committed = committedDashboards();
  const parsed = committed.map(({ file, text }) => ({ file, dashboard: parseDashboard(text) }));

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
      expect({ file, uid: /^[a-z0-9-]{1,40}$/.test(dashboard.uid ?? '') }).toEqual({ file, uid: true });
      const ids = allPanels(dashboard).map((p) => p.id);
      expect({ file, duplicateIds: ids.filter((id, i) => ids.indexOf(id) !== i) }).toEqual({ file, duplicateIds: [] });
      expect({ file, unnumbered: ids.filter((id) => id === undefined).length }).toEqual({ file, unnumbered: 0 });
      for (const p of allPanels(dashboard)) {
        const grid = p.gridPos;
        expect({ panel: p.title, fitsGrid: grid !== undefined && grid.x >= 0 && grid.x + grid.w <= 24 }).toEqual({ panel: p.title, fitsGrid: true });
      }
    }
  });

  it('when panels, targets, annotations and variables name a datasource, then it is the provisioned one (by uid)', () => {
    const uid = provisionedDatasourceUid();
    const wrong: string[] = [];
    for (const { file, dashboard } of parsed) {
      for (const p of allPanels(dashboard)) {
        if (p.type === 'row') continue;
        if (p.datasource?.uid !== uid) wrong.push(`${file} panel "${p.title}"`);
        if (promTargets(p).length === 0) wrong.push(`${file} panel "${p.title}" has no query`);
        for (const t of promTargets(p)) if (t.datasource?.uid !== uid) wrong.push(`${file} panel "${p.title}" target ${t.refId}`);
      }
      for (const a of dashboard.annotations.list ?? []) if (a.datasource.uid !== uid) wrong.push(`${file} annotation "${a.name}"`);
      for (const v of dashboard.templating.list ?? []) if (v.datasource?.uid !== uid) wrong.push(`${file} variable ${v.name}`);
    }
    expect(wrong).toEqual([]);
  });

  it('when the scaled-services dashboard is opened, then it is templated by $service', () => {
    for (const { file, dashboard } of parsed) {
      expect({ file, variables: (dashboard.templating.list ?? []).map((v) => v.name) }).toEqual({ file, variables: ['service'] });
    }
    const services = parsed.find((p) => p.dashboard.uid === 'alertscale-services')?.dashboard;
    const exprs = (services ? allPanels(services) : []).flatMap((p) => promTargets(p).map((t) => t.expr));
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
