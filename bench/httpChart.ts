/**
 * bench:http's timeline (bench/spikeChart.ts' panels for an HTTP service):
 * Artillery's p95 and failed requests per 10 s window, and the sampled desired
 * replicas, one line per phase. Its own module so a run's raw results
 * (.bench-results/http-*.json) can be drawn again without a new run.
 */
import { failedRequests, type ArtilleryReport } from './artillery';
import { renderSpikeChart, type ChartSeries } from './spikeChart';

export interface ChartedPhase {
  spec: { title: string; color: string; dash?: string };
  report: ArtilleryReport;
  /** Seconds since the spike started -> desired replicas. */
  replicas: Array<[number, number]>;
}

export interface ChartedLoad {
  baselineSeconds: number;
  spikeSeconds: number;
  spikeRate: number;
  capacityPerReplica: number;
  maxReplicas: number;
}

/** How much of the baseline before the spike the chart shows: enough to see the level, not five quiet minutes. */
const BASELINE_SHOWN_SECONDS = 60;

export function renderHttpChart(phases: ChartedPhase[], load: ChartedLoad): string {
  const series: ChartSeries[] = phases.map((r) => {
    const spikeAt = (r.report.intermediate[0]?.period ?? 0) + load.baselineSeconds * 1000;
    const windows = r.report.intermediate.map((w) => ({ t: (w.period - spikeAt) / 1000 + 5, w }));
    return {
      label: r.spec.title,
      color: r.spec.color,
      ...(r.spec.dash ? { dash: r.spec.dash } : {}),
      backlog: [],
      replicas: r.replicas,
      p95: windows.filter(({ w }) => w.latencyMs).map(({ t, w }): [number, number] => [t, (w.latencyMs?.p95 ?? 0) / 1000]),
      errors: windows.map(({ t, w }): [number, number] => [t, failedRequests(w) / 10]),
    };
  });
  return renderSpikeChart({
    title: `HTTP spike: ${load.spikeRate} requests/s for ${load.spikeSeconds} s against ${load.capacityPerReplica}/s per replica`,
    subtitle: 'fixed at min vs fixed at max vs alertscale (shipped rules) — npm run bench:http, figures from Artillery',
    spikeSeconds: load.spikeSeconds,
    maxReplicas: load.maxReplicas,
    series,
    shadeLabel: 'shaded: spike',
    fromSeconds: -Math.min(BASELINE_SHOWN_SECONDS, load.baselineSeconds),
    panels: [
      { title: 'p95 latency', unit: 'seconds, per 10 s (Artillery)', pick: (s) => s.p95 },
      { title: 'Replicas', unit: 'desired replicas', pick: (s) => s.replicas, step: true, minTop: load.maxReplicas },
      { title: 'Failed requests', unit: 'per second: 503s and no answer (Artillery)', pick: (s) => s.errors ?? [] },
    ],
  });
}
