import { parse } from 'yaml';
import type { ScaleRouteTimings } from '../../config/checkDedupWindow';
import { parseDuration } from '../../domain/parseDuration';

/** Alertmanager's own defaults for a route that sets neither (and whose parents do not). */
const DEFAULT_GROUP_INTERVAL = '5m';
const DEFAULT_REPEAT_INTERVAL = '4h';

interface RouteConfig {
  receiver?: string;
  group_interval?: string;
  repeat_interval?: string;
  matchers?: unknown;
  match?: Record<string, unknown>;
  match_re?: Record<string, unknown>;
  routes?: RouteConfig[];
}

interface AlertmanagerConfig {
  route?: RouteConfig;
  receivers?: Array<{ name?: string; webhook_configs?: Array<{ url?: unknown; url_file?: unknown }> }>;
}

/** alertscale's own path: a receiver whose webhook posts there is alertscale (or a proxy to it). */
const ALERTSCALE_PATH = /\/webhook\/?$/;

/** A route's own matchers as `label<op>"value"` strings, whichever of Alertmanager's three syntaxes it used. */
function matchersOf(route: RouteConfig): string[] {
  const matchers = Array.isArray(route.matchers) ? route.matchers.map(String) : typeof route.matchers === 'string' ? [route.matchers] : [];
  const legacy = [
    ...Object.entries(route.match ?? {}).map(([key, value]) => `${key}="${String(value)}"`),
    ...Object.entries(route.match_re ?? {}).map(([key, value]) => `${key}=~"${String(value)}"`),
  ];
  return [...matchers, ...legacy];
}

/** `scale_service=~".+"`, `scale_service="shop_api"`...; not `scale_service=""` nor `scale_service!~".+"`, which exclude them. */
function selectsScaleAlerts(matcher: string): boolean {
  const parsed = /^\s*scale_service\s*(=~|!~|!=|=)\s*"?(.*?)"?\s*$/.exec(matcher);
  if (!parsed) return false;
  const [, operator, value] = parsed;
  if (operator === '=' && value === '') return false;
  if (operator === '!~' && (value === '.+' || value === '.*')) return false;
  return true;
}

interface FoundRoute extends ScaleRouteTimings {
  receiver: string;
  /** The route (or a parent) selects alerts by scale_service. */
  onScaleService: boolean;
  /** The route (or a parent) selects alerts by alertname: the Watchdog's, not scale alerts. */
  onAlertname: boolean;
}

const toMs = (text: string | undefined, fallback: number): number => (text === undefined ? fallback : (parseDuration(String(text)) ?? fallback));

/**
 * The group_interval and repeat_interval that apply to each route sending scale
 * alerts to a webhook: a route matching on scale_service (or below one); when no
 * route does, each route to a receiver posting to `/webhook` that does not select by alertname;
 * with Alertmanager's inheritance from parent routes and its defaults.
 * `yamlText` is Alertmanager's running config (GET /api/v2/status → config.original).
 */
export function readScaleRoutes(yamlText: string): ScaleRouteTimings[] {
  const config = parse(yamlText) as AlertmanagerConfig | null;
  const receivers = config?.receivers ?? [];
  const webhookReceivers = new Set(receivers.filter((receiver) => (receiver.webhook_configs ?? []).length > 0).map((receiver) => receiver.name));
  // A URL Alertmanager hides (`<secret>`, url_file) may be alertscale's too.
  const alertscaleReceivers = new Set(
    receivers
      .filter((receiver) =>
        (receiver.webhook_configs ?? []).some(
          (webhook) => webhook.url_file !== undefined || typeof webhook.url !== 'string' || !URL.canParse(webhook.url) || ALERTSCALE_PATH.test(new URL(webhook.url).pathname),
        ),
      )
      .map((receiver) => receiver.name),
  );
  const found: FoundRoute[] = [];
  const walk = (route: RouteConfig, inherited: Omit<FoundRoute, 'route' | 'receiver'> & { receiver?: string; matchers: string[] }) => {
    const own = matchersOf(route);
    const here = {
      receiver: route.receiver ?? inherited.receiver,
      groupIntervalMs: toMs(route.group_interval, inherited.groupIntervalMs),
      repeatIntervalMs: toMs(route.repeat_interval, inherited.repeatIntervalMs),
      matchers: [...inherited.matchers, ...own],
      onScaleService: inherited.onScaleService || own.some(selectsScaleAlerts),
      onAlertname: inherited.onAlertname || own.some((matcher) => matcher.trimStart().startsWith('alertname')),
    };
    if (here.receiver && webhookReceivers.has(here.receiver)) {
      const shown = here.matchers.length > 0 ? `{${here.matchers.join(', ')}}` : '(root)';
      found.push({ ...here, receiver: here.receiver, route: `the route ${shown} → ${here.receiver}` });
    }
    for (const child of route.routes ?? []) walk(child, here);
  };
  if (config?.route) {
    walk(config.route, {
      groupIntervalMs: toMs(DEFAULT_GROUP_INTERVAL, 0),
      repeatIntervalMs: toMs(DEFAULT_REPEAT_INTERVAL, 0),
      matchers: [],
      onScaleService: false,
      onAlertname: false,
    });
  }
  // The routes that select scale alerts; without any, every route to alertscale that is not about one alertname.
  const onScaleService = found.filter((route) => route.onScaleService);
  const chosen = onScaleService.length > 0 ? onScaleService : found.filter((route) => alertscaleReceivers.has(route.receiver) && !route.onAlertname);
  return chosen.map(({ route, groupIntervalMs, repeatIntervalMs }) => ({ route, groupIntervalMs, repeatIntervalMs }));
}
