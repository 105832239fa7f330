import { OwnedProcess } from './ownedProcess';

export const HEY_BIN = '/usr/bin/hey';

/** What hey's own summary says about one run (latencies in seconds). */
export interface HeyReport {
  totalSeconds: number;
  requestsPerSecond: number;
  /** Percentile -> seconds, as hey prints them (10, 25, 50, 75, 90, 95, 99). */
  percentiles: Record<number, number>;
  /** HTTP status -> responses. */
  statuses: Record<number, number>;
  /** Requests that got no HTTP response at all (refused, reset, timed out), by hey's error text. */
  errors: Record<string, number>;
}

export const responses = (report: HeyReport): number => Object.values(report.statuses).reduce((a, b) => a + b, 0);
export const transportErrors = (report: HeyReport): number => Object.values(report.errors).reduce((a, b) => a + b, 0);
export const nonOkResponses = (report: HeyReport): number =>
  Object.entries(report.statuses).reduce((sum, [code, count]) => sum + (code === '200' || code === '202' ? 0 : count), 0);

/** Parses hey's default (summary) output; throws when it is not one. */
export function parseHeyReport(text: string): HeyReport {
  const number = (pattern: RegExp): number => {
    const match = pattern.exec(text);
    if (!match) throw new Error(`not a hey summary (no ${pattern.source}):\n${text.slice(0, 2000)}`);
    return Number(match[1]);
  };
  const section = (title: string): string => {
    const start = text.indexOf(`${title}:`);
    if (start < 0) return '';
    const rest = text.slice(start + title.length + 1);
    const end = rest.search(/\n\s*\n[A-Z]/);
    return end < 0 ? rest : rest.slice(0, end);
  };
  const percentiles: Record<number, number> = {};
  for (const m of section('Latency distribution').matchAll(/^\s*(\d+)% in ([\d.]+) secs/gm)) if (Number(m[1]) > 0) percentiles[Number(m[1])] = Number(m[2]);
  const statuses: Record<number, number> = {};
  for (const m of section('Status code distribution').matchAll(/^\s*\[(\d+)\]\s+(\d+) responses/gm)) statuses[Number(m[1])] = Number(m[2]);
  const errors: Record<string, number> = {};
  for (const m of section('Error distribution').matchAll(/^\s*\[(\d+)\]\s+(.+)$/gm)) errors[(m[2] as string).trim()] = Number(m[1]);
  return { totalSeconds: number(/Total:\s+([\d.]+) secs/), requestsPerSecond: number(/Requests\/sec:\s+([\d.]+)/), percentiles, statuses, errors };
}

export interface HeyRun {
  url: string;
  /** Target arrival rate (requests/s), spread over `workers` (hey -q is per worker). */
  rate: number;
  durationS: number;
  /**
   * hey workers are closed-loop: one request at a time each, at most rate/workers
   * per second. So the rate holds (open arrival) while latency stays under
   * workers / rate seconds; choose workers >= rate x the worst latency expected.
   */
  workers: number;
  method?: 'GET' | 'POST';
  timeoutS?: number;
}

/** hey's command line for a run (without the binary). */
export function heyArgs(run: HeyRun): string[] {
  return [
    '-z',
    `${run.durationS}s`,
    '-c',
    String(run.workers),
    '-q',
    String(run.rate / run.workers),
    '-t',
    String(run.timeoutS ?? 20),
    '-m',
    run.method ?? 'GET',
    '-disable-compression',
    run.url,
  ];
}

/**
 * Runs hey against a 127.0.0.1 URL only (the network rule) and returns its own report.
 * `durationS` is the longest the load lasts; `stop` ends it sooner (hey lets the
 * requests in flight finish, then reports what it sent).
 */
export async function runHey(run: HeyRun, options: { stop?: AbortSignal } = {}): Promise<HeyReport> {
  const url = new URL(run.url);
  if (url.hostname !== '127.0.0.1') throw new Error(`load goes to 127.0.0.1 only, not ${url.hostname}`);
  if (run.durationS <= 0 || run.durationS > 900) throw new Error(`a load run lasts 1-900 s, not ${run.durationS}`);
  const args = heyArgs(run);
  const hey = new OwnedProcess(`hey ${run.method ?? 'GET'} ${url.pathname} ${run.rate}/s`, HEY_BIN, args, { keepAll: true });
  const interrupt = (): void => hey.interrupt();
  options.stop?.addEventListener('abort', interrupt, { once: true });
  const code = await hey.exited;
  options.stop?.removeEventListener('abort', interrupt);
  if (code !== 0) throw new Error(`hey exited ${code}\n${hey.output}`);
  return parseHeyReport(hey.fullOutput);
}
