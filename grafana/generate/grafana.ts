/**
 * Our panel conventions on top of Grafana's Foundation SDK (types and builders
 * generated from Grafana 11.6's schemas; the SDK lays panels out on the
 * 24-column grid). What stays here is only what is ours: the provisioned
 * datasource, the two panel styles we use, the `$service` variable and the
 * scale-event annotation. The output is diffed against the committed JSON by
 * test/monitoring/dashboards.test.ts.
 */
import * as common from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as prometheus from '@grafana/grafana-foundation-sdk/prometheus';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';

/** The provisioned datasource (grafana/provisioning/datasources/prometheus.yml). */
const DATASOURCE: dashboard.DataSourceRef = { type: 'prometheus', uid: 'prometheus' };

export interface Query {
  expr: string;
  legend: string;
}

interface PanelText {
  title: string;
  description: string;
}

export interface TimeseriesOptions extends PanelText {
  queries: Query[];
  unit?: string;
  width?: number;
  height?: number;
  bars?: boolean;
  stack?: boolean;
  stepped?: boolean;
  min?: number;
}

export interface StatOptions extends PanelText {
  query: Query;
  unit?: string;
  width?: number;
  height?: number;
  /** Values at or above this turn red; below, green. */
  redFrom?: number;
  decimals?: number;
}

type PanelBuilder = timeseries.PanelBuilder | stat.PanelBuilder;

/** What every panel of ours has: title, description, the provisioned datasource, size, unit and its Prometheus queries. */
function fillPanel<T extends PanelBuilder>(panel: T, o: PanelText & { unit?: string; width?: number; height?: number }, size: { w: number; h: number }, queries: Query[]): T {
  panel
    .title(o.title)
    .description(o.description)
    .datasource(DATASOURCE)
    .span(o.width ?? size.w)
    .height(o.height ?? size.h)
    .unit(o.unit ?? 'short');
  queries.forEach((q, i) => {
    panel.withTarget(
      new prometheus.DataqueryBuilder()
        .refId(String.fromCharCode(65 + i))
        .datasource(DATASOURCE)
        .expr(q.expr)
        .legendFormat(q.legend)
        .range(),
    );
  });
  return panel;
}

/** A time series panel; series whose legend says "threshold" are drawn dashed, without fill. */
export function timeseriesPanel(o: TimeseriesOptions): timeseries.PanelBuilder {
  const panel = new timeseries.PanelBuilder()
    .drawStyle(o.bars ? common.GraphDrawStyle.Bars : common.GraphDrawStyle.Line)
    .lineInterpolation(o.stepped ? common.LineInterpolation.StepAfter : common.LineInterpolation.Linear)
    .lineWidth(1)
    .fillOpacity(o.bars ? 80 : 10)
    .showPoints(common.VisibilityMode.Never)
    .spanNulls(false)
    .stacking(new common.StackingConfigBuilder().mode(o.stack ? common.StackingMode.Normal : common.StackingMode.None).group('A'))
    .legend(new common.VizLegendOptionsBuilder().displayMode(common.LegendDisplayMode.List).placement(common.LegendPlacement.Bottom).showLegend(true))
    .tooltip(new common.VizTooltipOptionsBuilder().mode(common.TooltipDisplayMode.Multi).sort(common.SortOrder.Descending))
    .overrideByRegexp('.*threshold.*', [
      { id: 'custom.lineStyle', value: { dash: [10, 10], fill: 'dash' } },
      { id: 'custom.fillOpacity', value: 0 },
      { id: 'color', value: { mode: 'fixed', fixedColor: 'red' } },
    ]);
  if (o.min !== undefined) panel.min(o.min);
  return fillPanel(panel, o, { w: 12, h: 8 }, o.queries);
}

/** A single value over the time range, green, turning red from `redFrom`. */
export function statPanel(o: StatOptions): stat.PanelBuilder {
  const steps: dashboard.Threshold[] = [{ color: 'green', value: null }, ...(o.redFrom === undefined ? [] : [{ color: 'red', value: o.redFrom }])];
  const panel = new stat.PanelBuilder()
    .colorScheme(new dashboard.FieldColorBuilder().mode(dashboard.FieldColorModeId.Thresholds))
    .thresholds(new dashboard.ThresholdsConfigBuilder().mode(dashboard.ThresholdsMode.Absolute).steps(steps))
    .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).fields('').values(false))
    .colorMode(common.BigValueColorMode.Value)
    .graphMode(common.BigValueGraphMode.Area)
    .justifyMode(common.BigValueJustifyMode.Auto)
    .textMode(common.BigValueTextMode.Auto)
    .orientation(common.VizOrientation.Auto);
  if (o.decimals !== undefined) panel.decimals(o.decimals);
  return fillPanel(panel, o, { w: 6, h: 4 }, [o.query]);
}

/** A multi-value `$service` variable (All = `.*`) from the label values of `selector`. */
export function serviceVariable(selector: string): dashboard.QueryVariableBuilder {
  return new dashboard.QueryVariableBuilder('service')
    .label('Service')
    .datasource(DATASOURCE)
    .query(`label_values(${selector}, service)`)
    .refresh(dashboard.VariableRefresh.OnTimeRangeChanged)
    .includeAll(true)
    .multi(true)
    .allValue('.*')
    .current({ selected: true, text: ['All'], value: ['$__all'] })
    .sort(dashboard.VariableSort.AlphabeticalAsc);
}

/**
 * Replica changes made by alertscale, as annotations on every time series
 * panel. The Prometheus annotation fields (step, titleFormat, tagKeys...) are
 * the datasource's own and not in the SDK's generic AnnotationQuery.
 */
const scaleEventsAnnotation: dashboard.AnnotationQuery & Record<string, unknown> = {
  ...new dashboard.AnnotationQueryBuilder()
    .name('Scale events')
    .datasource(DATASOURCE)
    .enable(true)
    .hide(false)
    .iconColor('purple')
    .expr('sum by (service, direction) (increase(alertscale_scale_events_total{service=~"$service"}[1m])) > 0')
    .build(),
  step: '1m',
  titleFormat: '{{service}} scaled {{direction}}',
  textFormat: '',
  tagKeys: 'service,direction',
  useValueForTime: false,
};

/** A row title, or a panel to place on the grid after the previous one. */
export type Item = string | PanelBuilder;

export interface DashboardOptions {
  uid: string;
  title: string;
  description: string;
  variables: dashboard.QueryVariableBuilder[];
  items: Item[];
  tags?: string[];
}

/** One of our dashboards: read-only, shared crosshair, last 3 h refreshed every 30 s, panels numbered in order. */
export function buildDashboard(o: DashboardOptions): dashboard.Dashboard {
  const builder = new dashboard.DashboardBuilder(o.title)
    .uid(o.uid)
    .description(o.description)
    .tags(o.tags ?? ['alertscale'])
    .readonly()
    .tooltip(dashboard.DashboardCursorSync.Crosshair)
    .timezone('')
    .refresh('30s')
    .time({ from: 'now-3h', to: 'now' })
    .version(1)
    .annotation({ build: () => scaleEventsAnnotation })
    .variables(o.variables);
  o.items.forEach((item, index) => {
    const id = index + 1;
    if (typeof item === 'string') builder.withRow(new dashboard.RowBuilder(item).id(id));
    else builder.withPanel(item.id(id));
  });
  return builder.build();
}
