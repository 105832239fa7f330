import { readFileSync } from 'node:fs';
import { rootPath } from './projectRoot';

export interface RouteTimings {
  groupWait?: string;
  groupInterval?: string;
  repeatInterval?: string;
}

export interface AlertmanagerAdaptation {
  /** One webhook_config per URL (two alertscale instances: two URLs), each a copy of the shipped one. */
  webhookUrls: string[];
  /** Replaces the shipped credentials_file (/run/secrets/...). */
  credentialsFile: string;
  /** Overrides on the autoscale route (`scale_service=~".+"`); unset keys keep the shipped value. */
  autoscaleRoute?: RouteTimings;
}

const indentOf = (line: string): number => line.length - line.trimStart().length;

/** The lines of the YAML list item starting at `start` (its `- ` line and everything indented deeper). */
function itemEnd(lines: string[], start: number): number {
  const dash = indentOf(lines[start] ?? '');
  let end = start + 1;
  while (end < lines.length) {
    const line = lines[end] ?? '';
    if (line.trim() !== '' && indentOf(line) <= dash) break;
    end++;
  }
  // Trailing blank lines belong to what follows.
  while (end > start + 1 && (lines[end - 1] ?? '').trim() === '') end--;
  return end;
}

function findOne(lines: string[], pattern: RegExp, what: string): number {
  const hits = lines.flatMap((line, index) => (pattern.test(line) ? [index] : []));
  if (hits.length !== 1) throw new Error(`alertmanager/alertmanager.yml: expected one ${what}, found ${hits.length}`);
  return hits[0] as number;
}

/**
 * The repository's alertmanager/alertmanager.yml, adapted for a loopback test:
 * the alertscale receiver's webhook_config copied once per URL, its
 * credentials_file pointed at the test's token file, and the autoscale route's
 * timings shortened. Routes, grouping, inhibitions and every other receiver
 * stay as shipped. Line-based with exact-match checks: a reshaped file throws
 * here rather than running the test against something else.
 */
export function adaptAlertmanagerConfig(options: AlertmanagerAdaptation): string {
  const lines = readFileSync(rootPath('alertmanager', 'alertmanager.yml'), 'utf8').split('\n');

  const route = findOne(lines, /^\s*- matchers: \['scale_service=~"\.\+"'\]\s*$/, 'autoscale route');
  const routeEnd = itemEnd(lines, route);
  const keyIndent = ' '.repeat(indentOf(lines[route] ?? '') + 2);
  for (const [key, value] of [
    ['group_wait', options.autoscaleRoute?.groupWait],
    ['group_interval', options.autoscaleRoute?.groupInterval],
    ['repeat_interval', options.autoscaleRoute?.repeatInterval],
  ] as const) {
    if (value === undefined) continue;
    const at = lines.slice(route, routeEnd).findIndex((line) => line.startsWith(`${keyIndent}${key}:`));
    if (at < 0) throw new Error(`alertmanager/alertmanager.yml: the autoscale route has no ${key}`);
    lines[route + at] = `${keyIndent}${key}: ${value}`;
  }

  const webhook = findOne(lines, /^\s*- url: http:\/\/alertscale:8080\/webhook\s*$/, 'alertscale webhook url');
  const webhookEnd = itemEnd(lines, webhook);
  const item = lines.slice(webhook, webhookEnd);
  const credentials = item.findIndex((line) => /^\s*credentials_file:/.test(line));
  if (credentials < 0) throw new Error('alertmanager/alertmanager.yml: the alertscale webhook has no credentials_file');
  const copies = options.webhookUrls.flatMap((url) =>
    item.map((line, index) => {
      if (index === 0) return line.replace('http://alertscale:8080/webhook', JSON.stringify(url));
      if (index === credentials) return line.replace(/credentials_file:.*$/, `credentials_file: ${JSON.stringify(options.credentialsFile)}`);
      return line;
    }),
  );
  lines.splice(webhook, webhookEnd - webhook, ...copies);
  return lines.join('\n');
}
