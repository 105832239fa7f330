/** The rules a refused Docker API call names (in the 403 body, the log line and the metric label). */
export const GUARD_RULE = {
  /** Percent-encoding, `..`, `//`, `.` segments, a trailing slash, mixed case or odd characters in the path. */
  pathSyntax: 'path_syntax',
  /** The endpoint or method is not one this mode allows. */
  endpoint: 'endpoint',
  /** A query parameter the endpoint does not allow, or a malformed or repeated one. */
  query: 'query',
  /** A header that changes what Docker does (registry credentials, upgrade, expect). */
  header: 'header',
  /** Chunked, unsized or oversized body, or a body on a read. */
  bodyFraming: 'body_framing',
  /** The body is not one strict JSON object (invalid UTF-8, duplicate keys, trailing data...). */
  bodyJson: 'body_json',
  /** The service is not opted in with alertscale.enabled=true. */
  notEnabled: 'not_enabled',
  /** The service's alertscale.* policy labels are invalid, or it is paused. */
  policy: 'policy',
  /** The new replica count is not a whole number within the policy's min and max and the global ceiling. */
  replicas: 'replicas',
  /** A field other than Mode.Replicated.Replicas and alertscale.state.* labels differs from the current spec. */
  specChanged: 'spec_changed',
} as const;

export type GuardRule = (typeof GUARD_RULE)[keyof typeof GUARD_RULE];

/** `scale`: what alertscale needs. `read-only`: what Prometheus' Swarm service discovery needs. */
export type GuardMode = 'scale' | 'read-only';
