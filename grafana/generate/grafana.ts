/**
 * A small typed subset of Grafana's dashboard JSON model (schemaVersion 39,
 * Grafana 10/11), and builders that lay panels out on the 24-column grid.
 * Plain objects, no dependency: the output is diffed against the committed
 * JSON by test/monitoring/dashboards.test.ts.
 */

/** The provisioned datasource (grafana/provisioning/datasources/prometheus.yml). */
export const DATASOURCE = { type: 'prometheus', uid: 'prometheus' } as const;
export type DataSourceRef = { type: string; uid: string };

export interface Target {
  refId: string;
  datasource: DataSourceRef;
  expr: string;
  legendFormat: string;
  range: boolean;
  instant: boolean;
}

export interface GridPos {
  h: number;
  w: number;
  x: number;
  y: number;
}

interface FieldOverride {
  matcher: { id: 'byRegexp' | 'byName'; options: string };
  properties: Array<{ id: string; value: unknown }>;
}

export interface FieldConfig {
  defaults: {
    unit?: string;
    min?: number;
    decimals?: number;
    color?: { mode: string };
    thresholds?: { mode: 'absolute'; steps: Array<{ color: string; value: number | null }> };
    custom?: Record<string, unknown>;
    mappings?: unknown[];
  };
  overrides: FieldOverride[];
}

export interface Panel {
  id: number;
  type: 'timeseries' | 'stat' | 'row';
  title: string;
  gridPos: GridPos;
  description?: string;
  datasource?: DataSourceRef;
  targets?: Target[];
  fieldConfig?: FieldConfig;
  options?: Record<string, unknown>;
  collapsed?: boolean;
  panels?: Panel[];
}

export interface TemplateVariable {
  name: string;
  label: string;
  type: 'query';
  datasource: DataSourceRef;
  query: string;
  definition: string;
  refresh: 1 | 2;
  includeAll: boolean;
  multi: boolean;
  allValue: string;
  current: { selected: boolean; text: string[]; value: string[] };
  options: unknown[];
  regex: string;
  sort: number;
  hide: 0;
}

export interface Annotation {
  name: string;
  datasource: DataSourceRef;
  enable: boolean;
  hide: boolean;
  iconColor: string;
  expr: string;
  step: string;
  titleFormat: string;
  textFormat: string;
  tagKeys: string;
  useValueForTime: boolean;
}

export interface Dashboard {
  uid: string;
  title: string;
  description: string;
  tags: string[];
  editable: boolean;
  graphTooltip: 1;
  timezone: string;
  refresh: string;
  time: { from: string; to: string };
  schemaVersion: number;
  version: number;
  annotations: { list: Annotation[] };
  templating: { list: TemplateVariable[] };
  links: unknown[];
  panels: Panel[];
}

export interface Query {
  expr: string;
  legend: string;
}

/** Series whose legend says "threshold" are drawn as dashed lines, without fill. */
const thresholdOverride: FieldOverride = {
  matcher: { id: 'byRegexp', options: '.*threshold.*' },
  properties: [
    { id: 'custom.lineStyle', value: { dash: [10, 10], fill: 'dash' } },
    { id: 'custom.fillOpacity', value: 0 },
    { id: 'color', value: { mode: 'fixed', fixedColor: 'red' } },
  ],
};

function targets(queries: Query[]): Target[] {
  return queries.map((q, i) => ({
    refId: String.fromCharCode(65 + i),
    datasource: DATASOURCE,
    expr: q.expr,
    legendFormat: q.legend,
    range: true,
    instant: false,
  }));
}

export interface TimeseriesOptions {
  title: string;
  description: string;
  queries: Query[];
  unit?: string;
  width?: number;
  height?: number;
  bars?: boolean;
  stack?: boolean;
  stepped?: boolean;
  min?: number;
}

export interface StatOptions {
  title: string;
  description: string;
  query: Query;
  unit?: string;
  width?: number;
  height?: number;
  /** Values at or above this turn red; below, green. */
  redFrom?: number;
  decimals?: number;
}

/** Places panels left to right, wrapping at 24 columns, and numbers them. */
export class Layout {
  private readonly panels: Panel[] = [];
  private nextId = 1;
  private x = 0;
  private y = 0;
  private rowHeight = 0;

  row(title: string): this {
    this.newLine();
    this.panels.push({ id: this.nextId++, type: 'row', title, collapsed: false, panels: [], gridPos: { h: 1, w: 24, x: 0, y: this.y } });
    this.y += 1;
    return this;
  }

  timeseries(o: TimeseriesOptions): this {
    const custom: Record<string, unknown> = {
      drawStyle: o.bars ? 'bars' : 'line',
      lineInterpolation: o.stepped ? 'stepAfter' : 'linear',
      lineWidth: 1,
      fillOpacity: o.bars ? 80 : 10,
      showPoints: 'never',
      spanNulls: false,
      stacking: { mode: o.stack ? 'normal' : 'none', group: 'A' },
    };
    this.place(o.width ?? 12, o.height ?? 8, {
      type: 'timeseries',
      title: o.title,
      description: o.description,
      datasource: DATASOURCE,
      targets: targets(o.queries),
      fieldConfig: {
        defaults: { unit: o.unit ?? 'short', ...(o.min === undefined ? {} : { min: o.min }), custom },
        overrides: [thresholdOverride],
      },
      options: {
        legend: { displayMode: 'list', placement: 'bottom', showLegend: true },
        tooltip: { mode: 'multi', sort: 'desc' },
      },
    });
    return this;
  }

  stat(o: StatOptions): this {
    this.place(o.width ?? 6, o.height ?? 4, {
      type: 'stat',
      title: o.title,
      description: o.description,
      datasource: DATASOURCE,
      targets: targets([o.query]),
      fieldConfig: {
        defaults: {
          unit: o.unit ?? 'short',
          ...(o.decimals === undefined ? {} : { decimals: o.decimals }),
          color: { mode: 'thresholds' },
          thresholds: {
            mode: 'absolute',
            steps: [{ color: 'green', value: null }, ...(o.redFrom === undefined ? [] : [{ color: 'red', value: o.redFrom }])],
          },
        },
        overrides: [],
      },
      options: {
        reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false },
        colorMode: 'value',
        graphMode: 'area',
        justifyMode: 'auto',
        textMode: 'auto',
        orientation: 'auto',
      },
    });
    return this;
  }

  build(): Panel[] {
    return this.panels;
  }

  private place(w: number, h: number, panel: Omit<Panel, 'id' | 'gridPos'>): void {
    if (this.x + w > 24) this.newLine();
    this.panels.push({ id: this.nextId++, gridPos: { h, w, x: this.x, y: this.y }, ...panel });
    this.x += w;
    this.rowHeight = Math.max(this.rowHeight, h);
  }

  private newLine(): void {
    this.y += this.rowHeight;
    this.x = 0;
    this.rowHeight = 0;
  }
}

/** A multi-value `$service` variable (All = `.*`) from the label values of `selector`. */
export function serviceVariable(selector: string): TemplateVariable {
  const query = `label_values(${selector}, service)`;
  return {
    name: 'service',
    label: 'Service',
    type: 'query',
    datasource: DATASOURCE,
    query,
    definition: query,
    refresh: 2,
    includeAll: true,
    multi: true,
    allValue: '.*',
    current: { selected: true, text: ['All'], value: ['$__all'] },
    options: [],
    regex: '',
    sort: 1,
    hide: 0,
  };
}

/** Replica changes made by alertscale, as annotations on every time series panel. */
export const scaleEventsAnnotation: Annotation = {
  name: 'Scale events',
  datasource: DATASOURCE,
  enable: true,
  hide: false,
  iconColor: 'purple',
  expr: 'sum by (service, direction) (increase(alertscale_scale_events_total{service=~"$service"}[1m])) > 0',
  step: '1m',
  titleFormat: '{{service}} scaled {{direction}}',
  textFormat: '',
  tagKeys: 'service,direction',
  useValueForTime: false,
};

export function dashboard(d: Pick<Dashboard, 'uid' | 'title' | 'description' | 'panels' | 'templating'> & { tags?: string[] }): Dashboard {
  return {
    uid: d.uid,
    title: d.title,
    description: d.description,
    tags: d.tags ?? ['alertscale'],
    editable: false,
    graphTooltip: 1,
    timezone: '',
    refresh: '30s',
    time: { from: 'now-3h', to: 'now' },
    schemaVersion: 39,
    version: 1,
    annotations: { list: [scaleEventsAnnotation] },
    templating: d.templating,
    links: [],
    panels: d.panels,
  };
}
