import { clampToPolicy } from '../../domain/computeDesiredReplicas';
import { parsePolicy } from '../../domain/parsePolicy';
import { POLICY_LABEL, STATE_LABEL_PREFIX } from '../../domain/serviceLabels';
import { findFirstDifference } from './compareSpecs';
import { GUARD_RULE, type GuardMode, type GuardRule } from './guardRules';
import { JsonNumber, parseStrictJson, type Json } from './parseStrictJson';
import { readDockerRequestTarget, type DockerRequestTarget } from './readDockerRequestTarget';

export interface GuardedRequest {
  method: string;
  url: string;
  /** Lower-case names, as Node's http gives them. */
  headers: Record<string, string | string[] | undefined>;
  /** The whole body, once read; undefined before. */
  body?: Uint8Array;
}

/** The service as the guard itself just read it from Docker (GET /services/{ref}). */
export interface CurrentService {
  version: string;
  spec: Json;
  id?: string;
}

export interface GuardLimits {
  mode: GuardMode;
  /** MAX_REPLICAS_CEILING: no service goes above it, whatever its labels say. */
  ceiling: number;
  bodyLimitBytes: number;
}

export type GuardVerdict =
  | { verdict: 'forward' }
  | { verdict: 'refuse'; rule: GuardRule; reason: string }
  /** An update passed every check that needs no body: read the body, then ask again. */
  | { verdict: 'read_body' }
  /** The body is a well-formed update: read the service's current spec, then ask again. */
  | { verdict: 'inspect'; path: string; version: string }
  /** The request's version is not the service's current one: Docker would answer "update out of sequence". */
  | { verdict: 'stale'; requested: string; current: string };

const FORBIDDEN_HEADERS = ['transfer-encoding', 'x-registry-auth', 'x-registry-config', 'upgrade', 'expect', 'content-encoding'];

const refuse = (rule: GuardRule, reason: string): GuardVerdict => ({ verdict: 'refuse', rule, reason });

function checkFraming(request: GuardedRequest, target: DockerRequestTarget, limits: GuardLimits): GuardVerdict | undefined {
  const forbidden = FORBIDDEN_HEADERS.find((name) => request.headers[name] !== undefined);
  if (forbidden === 'transfer-encoding') return refuse(GUARD_RULE.bodyFraming, 'chunked (Transfer-Encoding) bodies are refused: send Content-Length');
  if (forbidden) return refuse(GUARD_RULE.header, `header ${forbidden} is not allowed`);
  const length = request.headers['content-length'];
  if (target.endpoint !== 'update') {
    if (length !== undefined && length !== '0') return refuse(GUARD_RULE.bodyFraming, 'a read carries no body');
    return undefined;
  }
  if (typeof length !== 'string' || !/^\d{1,9}$/.test(length)) return refuse(GUARD_RULE.bodyFraming, 'an update needs a Content-Length');
  if (Number(length) > limits.bodyLimitBytes) return refuse(GUARD_RULE.bodyFraming, `the body (${length} bytes) is over the guard's limit of ${limits.bodyLimitBytes} bytes`);
  const type = request.headers['content-type'];
  if (typeof type !== 'string' || !/^application\/json(;\s*charset=utf-8)?$/i.test(type)) return refuse(GUARD_RULE.bodyJson, 'an update must be Content-Type: application/json');
  return undefined;
}

const asObject = (value: Json | undefined): Map<string, Json> | undefined => (value instanceof Map ? value : undefined);

/** Labels as strings, or undefined when a value is not a string. */
function readLabels(spec: Map<string, Json>): Record<string, string> | undefined {
  const labels: Record<string, string> = {};
  const raw = spec.get('Labels');
  if (raw === undefined || raw === null) return labels;
  if (!(raw instanceof Map)) return undefined;
  for (const [key, value] of raw) {
    if (typeof value !== 'string') return undefined;
    labels[key] = value;
  }
  return labels;
}

/** The spec without what a scale may change: the replica count and alertscale's state labels. */
function withoutScaleFields(spec: Map<string, Json>): Map<string, Json> {
  const copy = new Map(spec);
  const labels = asObject(spec.get('Labels'));
  if (labels) copy.set('Labels', new Map([...labels].filter(([key]) => !key.startsWith(STATE_LABEL_PREFIX))));
  const mode = asObject(spec.get('Mode'));
  const replicated = asObject(mode?.get('Replicated'));
  if (mode && replicated) {
    const bare = new Map(replicated);
    bare.delete('Replicas');
    copy.set('Mode', new Map(mode).set('Replicated', bare));
  }
  return copy;
}

function readReplicas(spec: Map<string, Json>): number | undefined {
  const replicas = asObject(asObject(spec.get('Mode'))?.get('Replicated'))?.get('Replicas');
  return replicas instanceof JsonNumber && /^(0|[1-9]\d{0,5})$/.test(replicas.text) ? Number(replicas.text) : undefined;
}

function judgeUpdate(newSpec: Map<string, Json>, current: CurrentService, requestedVersion: string, ceiling: number): GuardVerdict {
  if (BigInt(requestedVersion) !== BigInt(current.version)) return { verdict: 'stale', requested: requestedVersion, current: current.version };
  const currentSpec = asObject(current.spec);
  const currentLabels = currentSpec ? readLabels(currentSpec) : undefined;
  if (!currentSpec || !currentLabels) return refuse(GUARD_RULE.specChanged, 'the current spec could not be read as a service spec');
  if (currentLabels[POLICY_LABEL.enabled] !== 'true') return refuse(GUARD_RULE.notEnabled, `the service is not opted in (${POLICY_LABEL.enabled}=true is missing)`);
  const policy = parsePolicy(currentLabels, ceiling);
  if (!policy.ok) return refuse(GUARD_RULE.policy, policy.reason);
  if (policy.policy.paused) return refuse(GUARD_RULE.policy, `the service is paused (${POLICY_LABEL.paused}=true)`);
  if (readReplicas(currentSpec) === undefined) return refuse(GUARD_RULE.specChanged, 'the service is not replicated (Mode.Replicated.Replicas)');

  const newLabels = readLabels(newSpec);
  if (!newLabels) return refuse(GUARD_RULE.specChanged, 'Labels must map names to strings');
  const difference = findFirstDifference(withoutScaleFields(newSpec), withoutScaleFields(currentSpec));
  if (difference !== undefined)
    return refuse(GUARD_RULE.specChanged, `${difference} differs from the service's current spec; only Mode.Replicated.Replicas and ${STATE_LABEL_PREFIX}* labels may change`);
  const replicas = readReplicas(newSpec);
  const { min, max } = policy.policy;
  if (replicas === undefined) return refuse(GUARD_RULE.replicas, 'Mode.Replicated.Replicas must be a whole number');
  // Exactly the counts alertscale's own clamp can produce: adds no more than max, removes no more than min.
  const currentReplicas = readReplicas(currentSpec) as number;
  if (clampToPolicy(replicas, currentReplicas, policy.policy) !== replicas) {
    return refuse(
      GUARD_RULE.replicas,
      `Mode.Replicated.Replicas ${currentReplicas} → ${replicas} leaves ${min}..${max} (${POLICY_LABEL.min}, ${POLICY_LABEL.max}, MAX_REPLICAS_CEILING=${ceiling})`,
    );
  }
  return { verdict: 'forward' };
}

/**
 * The whole rule set of the Docker API guard, pure: a request (and, for an
 * update, the service's current spec) in; forward, refuse with the rule, or
 * the next thing the guard must read. Reads of services (and, in read-only
 * mode, tasks, nodes, networks) pass; an update passes only when it changes
 * nothing but the replica count, within policy, and alertscale's state labels.
 */
export function judgeDockerRequest(request: GuardedRequest, limits: GuardLimits, current?: CurrentService): GuardVerdict {
  const target = readDockerRequestTarget(request.method, request.url, limits.mode);
  if (!target.ok) return refuse(target.rule, target.reason);
  const framing = checkFraming(request, target.target, limits);
  if (framing) return framing;
  if (target.target.endpoint !== 'update') return { verdict: 'forward' };

  const version = target.target.query.get('version');
  if (version === undefined) return refuse(GUARD_RULE.query, 'an update needs the version query parameter (the service version it was read at)');
  if (request.body === undefined) return { verdict: 'read_body' };
  if (request.body.length !== Number(request.headers['content-length'])) return refuse(GUARD_RULE.bodyFraming, 'the body length does not match Content-Length');
  const parsed = parseStrictJson(request.body);
  if (!parsed.ok) return refuse(GUARD_RULE.bodyJson, parsed.reason);
  const newSpec = asObject(parsed.value);
  if (!newSpec) return refuse(GUARD_RULE.bodyJson, 'the body must be a JSON object (a service spec)');
  if (current === undefined) return { verdict: 'inspect', path: `${target.target.apiPrefix}/services/${target.target.ref}`, version };
  return judgeUpdate(newSpec, current, version, limits.ceiling);
}
