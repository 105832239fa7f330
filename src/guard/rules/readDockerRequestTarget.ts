import { GUARD_RULE, type GuardMode, type GuardRule } from './guardRules';

export type Endpoint = 'ping' | 'version' | 'list' | 'inspect' | 'update';

export interface DockerRequestTarget {
  /** `/v1.41` or '' */
  apiPrefix: string;
  endpoint: Endpoint;
  /** services, tasks, nodes or networks; undefined for ping and version. */
  collection?: string;
  /** The id, name or id prefix after the collection. */
  ref?: string;
  query: Map<string, string>;
}

export type TargetResult = { ok: true; target: DockerRequestTarget } | { ok: false; rule: GuardRule; reason: string };

const READ_COLLECTIONS: Record<GuardMode, readonly string[]> = {
  scale: ['services'],
  'read-only': ['services', 'tasks', 'nodes', 'networks'],
};
const PATH_CHARACTERS = /^[A-Za-z0-9._\-/]+$/;
const API_PREFIX = /^\/v\d{1,2}\.\d{1,3}(?=\/)/;
const REF = '[A-Za-z0-9][A-Za-z0-9_.-]{0,127}';
const ROUTES: Array<{ pattern: RegExp; endpoint: Endpoint }> = [
  { pattern: /^\/_ping$/, endpoint: 'ping' },
  { pattern: /^\/version$/, endpoint: 'version' },
  { pattern: /^\/([a-z]+)$/, endpoint: 'list' },
  { pattern: new RegExp(`^/([a-z]+)/(${REF})$`), endpoint: 'inspect' },
  { pattern: new RegExp(`^/(services)/(${REF})/update$`), endpoint: 'update' },
];
/** Query parameters each endpoint may carry: read filters, and the update's version (nothing else: no rollback, no registryAuthFrom). */
const QUERY_KEYS: Record<Endpoint, readonly string[]> = {
  ping: [],
  version: [],
  list: ['filters', 'status'],
  inspect: ['insertDefaults'],
  update: ['version'],
};
const QUERY_VALUE: Record<string, RegExp> = {
  version: /^\d{1,15}$/,
  status: /^(true|false|1|0)$/,
  insertDefaults: /^(true|false|1|0)$/,
  filters: /^[\s\S]{0,4096}$/,
};

const refuse = (rule: GuardRule, reason: string): TargetResult => ({ ok: false, rule, reason });

function readQuery(raw: string, endpoint: Endpoint): { ok: true; query: Map<string, string> } | { ok: false; reason: string } {
  const query = new Map<string, string>();
  if (raw === '') return { ok: true, query };
  // Go's url.ParseQuery decodes keys and refuses `;`: literal keys only, so both sides read the same names.
  for (const pair of raw.split('&')) {
    const [key = '', ...rest] = pair.split('=');
    const rawValue = rest.join('=');
    if (!/^[A-Za-z]+$/.test(key)) return { ok: false, reason: `query parameter "${pair.slice(0, 40)}" is not a plain name=value pair` };
    if (!QUERY_KEYS[endpoint].includes(key)) return { ok: false, reason: `query parameter "${key}" is not allowed here (allowed: ${QUERY_KEYS[endpoint].join(', ') || 'none'})` };
    if (query.has(key)) return { ok: false, reason: `query parameter "${key}" is repeated` };
    let value: string;
    try {
      value = decodeURIComponent(rawValue.replace(/\+/g, ' '));
    } catch {
      return { ok: false, reason: `query parameter "${key}" is not valid percent-encoding` };
    }
    if (!(QUERY_VALUE[key] as RegExp).test(value)) return { ok: false, reason: `query parameter ${key}="${value.slice(0, 40)}" is malformed` };
    query.set(key, value);
  }
  return { ok: true, query };
}

/**
 * Reads method and raw URL into the one Docker endpoint they name, or the rule
 * they break. Only canonical spellings pass: a path Docker and the guard could
 * route differently is refused, never normalised.
 */
export function readDockerRequestTarget(method: string, rawUrl: string, mode: GuardMode): TargetResult {
  const questionMark = rawUrl.indexOf('?');
  const path = questionMark < 0 ? rawUrl : rawUrl.slice(0, questionMark);
  const rawQuery = questionMark < 0 ? '' : rawUrl.slice(questionMark + 1);
  if (!PATH_CHARACTERS.test(path)) return refuse(GUARD_RULE.pathSyntax, 'the path has percent-encoding or characters outside A-Z a-z 0-9 . _ - /');
  if (path.includes('//')) return refuse(GUARD_RULE.pathSyntax, 'the path has an empty segment (//)');
  if (path.split('/').some((segment) => segment === '.' || segment === '..') || path.includes('..')) return refuse(GUARD_RULE.pathSyntax, 'the path has a . or .. segment');
  if (!path.startsWith('/') || (path.endsWith('/') && path !== '/')) return refuse(GUARD_RULE.pathSyntax, 'the path must start with / and not end with /');
  if (rawQuery.includes(';') || rawQuery.includes('#')) return refuse(GUARD_RULE.query, 'the query has ; or #');

  const apiPrefix = API_PREFIX.exec(path)?.[0] ?? '';
  const rest = path.slice(apiPrefix.length);
  for (const { pattern, endpoint } of ROUTES) {
    const match = pattern.exec(rest);
    if (!match) continue;
    const collection = match[1];
    if (collection !== undefined && !READ_COLLECTIONS[mode].includes(collection)) break;
    const wanted = endpoint === 'update' ? 'POST' : 'GET';
    const allowedMethod = method === wanted || (endpoint === 'ping' && method === 'HEAD');
    if (!allowedMethod || (endpoint === 'update' && mode !== 'scale')) {
      return refuse(GUARD_RULE.endpoint, `${method} ${apiPrefix}${rest} is not allowed in ${mode} mode`);
    }
    // Docker clears the fields newer than the API version an update names (CapabilityDrop,
    // Ulimits, Sysctls... for < 1.41): an equal body would still strip them. Updates speak the daemon's own version.
    if (endpoint === 'update' && apiPrefix !== '') {
      return refuse(GUARD_RULE.endpoint, `an update must not name an API version (${apiPrefix}): Docker would drop the spec fields newer than it; use /services/{id}/update`);
    }
    const query = readQuery(rawQuery, endpoint);
    if (!query.ok) return refuse(GUARD_RULE.query, query.reason);
    return { ok: true, target: { apiPrefix, endpoint, ...(collection ? { collection } : {}), ...(match[2] ? { ref: match[2] } : {}), query: query.query } };
  }
  const lower = path.toLowerCase();
  if (lower !== path && ROUTES.some(({ pattern }) => pattern.test(lower.slice(API_PREFIX.exec(lower)?.[0].length ?? 0)))) {
    return refuse(GUARD_RULE.pathSyntax, 'the path is not in lower case (Docker routes are case-sensitive)');
  }
  return refuse(
    GUARD_RULE.endpoint,
    `${method} ${path} is not allowed in ${mode} mode (allowed: GET ${READ_COLLECTIONS[mode].join(', ')}, /_ping, /version${mode === 'scale' ? ', POST /services/{id}/update' : ''})`,
  );
}
