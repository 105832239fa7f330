import { readFileSync } from 'node:fs';
import { isMap, isSeq, parseDocument, YAMLSeq, type YAMLMap } from 'yaml';
import { repoPath } from './repoRoot';

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

const SHIPPED = 'alertmanager/alertmanager.yml';
const AUTOSCALE_MATCHER = 'scale_service=~".+"';
const ALERTSCALE_URL = 'http://alertscale:8080/webhook';

function exactlyOne<T>(items: T[], what: string): T {
  if (items.length !== 1 || items[0] === undefined) throw new Error(`${SHIPPED}: expected one ${what}, found ${items.length}`);
  return items[0];
}

const mapsOf = (node: unknown): YAMLMap[] => (isSeq(node) ? node.items.filter(isMap) : []);

/**
 * The repository's alertmanager/alertmanager.yml, adapted for a loopback test:
 * the alertscale receiver's webhook_config copied once per URL, its
 * credentials_file pointed at the test's token file, and the autoscale route's
 * timings shortened. Routes, grouping, inhibitions and every other receiver
 * stay as shipped. A reshaped file (no such route, no such key) throws here
 * rather than running the test against something else.
 */
export function adaptAlertmanagerConfig(options: AlertmanagerAdaptation): string {
  const doc = parseDocument(readFileSync(repoPath(...SHIPPED.split('/')), 'utf8'));

  const route = exactlyOne(
    mapsOf(doc.getIn(['route', 'routes'])).filter((r) => JSON.stringify((r.toJSON() as { matchers?: unknown }).matchers) === JSON.stringify([AUTOSCALE_MATCHER])),
    'autoscale route',
  );
  for (const [key, value] of [
    ['group_wait', options.autoscaleRoute?.groupWait],
    ['group_interval', options.autoscaleRoute?.groupInterval],
    ['repeat_interval', options.autoscaleRoute?.repeatInterval],
  ] as const) {
    if (value === undefined) continue;
    if (!route.has(key)) throw new Error(`${SHIPPED}: the autoscale route has no ${key}`);
    route.set(key, value);
  }

  const receiver = exactlyOne(
    mapsOf(doc.get('receivers')).filter((r) => mapsOf(r.get('webhook_configs')).some((w) => w.get('url') === ALERTSCALE_URL)),
    'receiver with the alertscale webhook url',
  );
  const shipped = exactlyOne(mapsOf(receiver.get('webhook_configs')), 'webhook_config of the alertscale receiver');
  if (!shipped.hasIn(['http_config', 'authorization', 'credentials_file'])) throw new Error(`${SHIPPED}: the alertscale webhook has no credentials_file`);
  const copies = options.webhookUrls.map((url) => {
    const copy = shipped.clone() as YAMLMap;
    copy.set('url', url);
    copy.setIn(['http_config', 'authorization', 'credentials_file'], options.credentialsFile);
    return copy;
  });
  receiver.set('webhook_configs', new YAMLSeq());
  for (const copy of copies) (receiver.get('webhook_configs') as YAMLSeq).add(copy);
  return doc.toString();
}
