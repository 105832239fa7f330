import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { OwnedProcess } from '../harness/ownedProcess';
import { repoPath } from '../harness/repoRoot';

/** Pinned: the figures of docs/bench/http.md come from this version's own report. */
export const ARTILLERY_VERSION = '2.0.34';

/**
 * Artillery (about 460 MB with its dependencies) is installed on first use into
 * node_modules/.cache, never as a project dependency: --ignore-scripts and no
 * browser download (the HTTP engine needs neither).
 */
export function ensureArtillery(log: (message: string) => void): string {
  const dir = repoPath('node_modules', '.cache', `artillery-${ARTILLERY_VERSION}`);
  const bin = path.join(dir, 'node_modules', '.bin', 'artillery');
  if (fs.existsSync(bin)) return bin;
  log(`installing artillery@${ARTILLERY_VERSION} into ${path.relative(repoPath(), dir)} (once, about a minute)`);
  fs.mkdirSync(dir, { recursive: true });
  execFileSync('npm', ['install', '--prefix', dir, '--no-save', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error', `artillery@${ARTILLERY_VERSION}`], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, PUPPETEER_SKIP_DOWNLOAD: '1', PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1' },
  });
  if (!fs.existsSync(bin)) throw new Error(`artillery@${ARTILLERY_VERSION} did not install ${bin}`);
  return bin;
}

export interface ArrivalPhase {
  name: string;
  durationS: number;
  /** New requests per second, whatever the latency (open model: one request per virtual user). */
  rate: number;
}

/** One 10 s period (or the whole run) of Artillery's own report. */
export interface ArtilleryPeriod {
  /** ms since the epoch at the period's start. */
  period: number;
  counters: Record<string, number>;
  latencyMs?: { p50: number; p95: number; p99: number; max: number; count: number };
}

export interface ArtilleryReport {
  aggregate: ArtilleryPeriod;
  intermediate: ArtilleryPeriod[];
}

interface RawPeriod {
  period: number | string;
  counters?: Record<string, number>;
  summaries?: Record<string, { p50: number; p95: number; p99: number; max: number; count: number }>;
}

const toPeriod = (raw: RawPeriod): ArtilleryPeriod => {
  const latency = raw.summaries?.['http.response_time'];
  return { period: Number(raw.period), counters: raw.counters ?? {}, ...(latency ? { latencyMs: latency } : {}) };
};

/** Runs an open-arrival scenario of GET `url` (127.0.0.1 only) and returns Artillery's JSON report. */
export async function runArtillery(bin: string, workDir: string, url: string, phases: ArrivalPhase[], timeoutS: number): Promise<ArtilleryReport> {
  const target = new URL(url);
  if (target.hostname !== '127.0.0.1') throw new Error(`load goes to 127.0.0.1 only, not ${target.hostname}`);
  const script = path.join(workDir, 'artillery.json');
  const output = path.join(workDir, 'artillery-report.json');
  fs.writeFileSync(
    script,
    JSON.stringify({
      config: { target: target.origin, http: { timeout: timeoutS }, phases: phases.map((p) => ({ name: p.name, duration: p.durationS, arrivalRate: p.rate })) },
      scenarios: [{ flow: [{ get: { url: target.pathname } }] }],
    }),
  );
  const run = new OwnedProcess('artillery', bin, ['run', '--quiet', '--output', output, script], { env: { ...process.env, ARTILLERY_DISABLE_TELEMETRY: 'true' } });
  const code = await run.exited;
  if (code !== 0) throw new Error(`artillery exited ${code}\n${run.output}`);
  const raw = JSON.parse(fs.readFileSync(output, 'utf8')) as { aggregate: RawPeriod; intermediate: RawPeriod[] };
  return { aggregate: toPeriod(raw.aggregate), intermediate: raw.intermediate.map(toPeriod).sort((a, b) => a.period - b.period) };
}

/** Requests that failed: no response (errors.*) or a non-2xx answer. */
export function failedRequests(period: ArtilleryPeriod): number {
  return Object.entries(period.counters).reduce(
    (sum, [name, n]) => sum + (name.startsWith('errors.') || (/^http\.codes\.\d+$/.test(name) && !name.startsWith('http.codes.2')) ? n : 0),
    0,
  );
}

export function okResponses(period: ArtilleryPeriod): number {
  return Object.entries(period.counters).reduce((sum, [name, n]) => sum + (/^http\.codes\.2\d\d$/.test(name) ? n : 0), 0);
}
