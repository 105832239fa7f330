/**
 * The spike timeline as a hand-written SVG (no chart dependency): three panels
 * sharing the time axis (seconds since the spike started) — backlog (ready
 * messages), desired replicas, and p95 job latency of the jobs enqueued in each
 * window — one line per phase.
 */

export interface ChartSeries {
  label: string;
  color: string;
  dash?: string;
  backlog: Array<[number, number]>;
  replicas: Array<[number, number]>;
  p95: Array<[number, number]>;
  /** Failed requests per window (bench:http). */
  errors?: Array<[number, number]>;
}

export interface Panel {
  title: string;
  unit: string;
  pick: (series: ChartSeries) => Array<[number, number]>;
  step?: boolean;
  /** Lowest axis maximum (replicas: the service's max). */
  minTop?: number;
}

const WIDTH = 900;
const PANEL_HEIGHT = 190;
const LEFT = 70;
const RIGHT = 20;
const TOP = 58;
const GAP = 46;

const esc = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const fmt = (n: number): string => (Math.abs(n) >= 100 ? n.toFixed(0) : Number(n.toPrecision(3)).toString());

/** A "nice" axis maximum and tick step for values up to `max`. */
function niceScale(max: number, ticks = 4): { top: number; step: number } {
  if (!(max > 0)) return { top: 1, step: 0.25 };
  const raw = max / ticks;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? 10 * magnitude;
  return { top: Math.ceil(max / step) * step, step };
}

export function renderSpikeChart(options: {
  title: string;
  subtitle: string;
  spikeSeconds: number;
  maxReplicas: number;
  series: ChartSeries[];
  /** Default: backlog, replicas, p95 job latency (bench:spike). */
  panels?: Panel[];
  shadeLabel?: string;
  /** Where the time axis starts (default 0, the spike's start); earlier points are left out. */
  fromSeconds?: number;
}): string {
  const panels: Panel[] = options.panels ?? [
    { title: 'Backlog', unit: 'ready messages', pick: (s) => s.backlog },
    { title: 'Replicas', unit: 'desired replicas', pick: (s) => s.replicas, step: true, minTop: options.maxReplicas },
    { title: 'p95 job latency', unit: 'seconds, jobs enqueued in each 10 s window', pick: (s) => s.p95 },
  ];
  const legendHeight = 26;
  const height = TOP + panels.length * (PANEL_HEIGHT + GAP) + legendHeight;
  const plotWidth = WIDTH - LEFT - RIGHT;
  const from = options.fromSeconds ?? 0;
  const xMax = niceScale(Math.max(options.spikeSeconds, ...options.series.flatMap((s) => panels.flatMap((panel) => panel.pick(s)).map(([t]) => t))) - from, 8);
  const x = (t: number): number => LEFT + ((t - from) / xMax.top) * plotWidth;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="${LEFT}" y="24" font-size="16" font-weight="bold">${esc(options.title)}</text>`,
    `<text x="${LEFT}" y="42" fill="#555">${esc(options.subtitle)}</text>`,
  ];
  panels.forEach((panel, index) => {
    const top = TOP + index * (PANEL_HEIGHT + GAP) + 14;
    const bottom = top + PANEL_HEIGHT;
    const yMax = niceScale(Math.max(panel.minTop ?? 1, ...options.series.flatMap((s) => panel.pick(s).map(([, v]) => v))));
    const y = (v: number): number => bottom - (v / yMax.top) * PANEL_HEIGHT;
    parts.push(`<text x="${LEFT}" y="${top - 6}" font-weight="bold">${esc(panel.title)} <tspan font-weight="normal" fill="#555">(${esc(panel.unit)})</tspan></text>`);
    for (let v = 0; v <= yMax.top + 1e-9; v += yMax.step) {
      parts.push(`<line x1="${LEFT}" x2="${WIDTH - RIGHT}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#e5e5e5"/>`);
      parts.push(`<text x="${LEFT - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end" fill="#555">${fmt(v)}</text>`);
    }
    for (let t = Math.ceil(from / xMax.step) * xMax.step; t <= from + xMax.top + 1e-9; t += xMax.step) {
      parts.push(`<line x1="${x(t).toFixed(1)}" x2="${x(t).toFixed(1)}" y1="${bottom}" y2="${bottom + 4}" stroke="#999"/>`);
      parts.push(`<text x="${x(t).toFixed(1)}" y="${bottom + 16}" text-anchor="middle" fill="#555">${fmt(t)}s</text>`);
    }
    // The spike: producer on from 0 to spikeSeconds.
    parts.push(`<rect x="${x(0)}" y="${top}" width="${(x(options.spikeSeconds) - x(0)).toFixed(1)}" height="${PANEL_HEIGHT}" fill="#f6a623" fill-opacity="0.07"/>`);
    parts.push(`<line x1="${x(options.spikeSeconds).toFixed(1)}" x2="${x(options.spikeSeconds).toFixed(1)}" y1="${top}" y2="${bottom}" stroke="#f6a623" stroke-dasharray="4 3"/>`);
    parts.push(`<rect x="${LEFT}" y="${top}" width="${plotWidth}" height="${PANEL_HEIGHT}" fill="none" stroke="#999"/>`);
    for (const series of options.series) {
      const points = panel.pick(series).filter(([t, v]) => Number.isFinite(t) && Number.isFinite(v) && t >= from);
      if (points.length === 0) continue;
      const coords: string[] = [];
      points.forEach(([t, v], i) => {
        if (panel.step && i > 0) coords.push(`${x(t).toFixed(1)},${y((points[i - 1] as [number, number])[1]).toFixed(1)}`);
        coords.push(`${x(t).toFixed(1)},${y(v).toFixed(1)}`);
      });
      parts.push(`<polyline fill="none" stroke="${series.color}" stroke-width="2"${series.dash ? ` stroke-dasharray="${series.dash}"` : ''} points="${coords.join(' ')}"/>`);
    }
  });
  const legendY = height - 12;
  let legendX = LEFT;
  for (const series of options.series) {
    parts.push(
      `<line x1="${legendX}" x2="${legendX + 24}" y1="${legendY - 4}" y2="${legendY - 4}" stroke="${series.color}" stroke-width="3"${series.dash ? ` stroke-dasharray="${series.dash}"` : ''}/>`,
    );
    parts.push(`<text x="${legendX + 30}" y="${legendY}">${esc(series.label)}</text>`);
    legendX += 40 + series.label.length * 6.6;
  }
  parts.push(`<text x="${WIDTH - RIGHT}" y="${legendY}" text-anchor="end" fill="#b07000">${esc(options.shadeLabel ?? 'shaded: producer spike')}</text>`);
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
