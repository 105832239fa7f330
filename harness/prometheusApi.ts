/** The few Prometheus HTTP API calls the tests need (Node's fetch, 127.0.0.1 only). */

export interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}

export interface ApiRule {
  type: 'recording' | 'alerting';
  name: string;
  query: string;
  health: 'ok' | 'err' | 'unknown';
  lastError?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  duration?: number;
}

export interface ApiGroup {
  name: string;
  file: string;
  rules: ApiRule[];
  lastEvaluation: string;
}

export interface ApiAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: 'pending' | 'firing';
  value: string;
}

export interface ApiTarget {
  discoveredLabels: Record<string, string>;
  labels: Record<string, string>;
  scrapePool: string;
  scrapeUrl: string;
  lastError: string;
  health: 'up' | 'down' | 'unknown';
}

type Envelope<T> = { status: 'success'; data: T; warnings?: string[] } | { status: 'error'; errorType: string; error: string };

export class PrometheusApi {
  constructor(readonly base: string) {}

  /** An instant query; resolves with Prometheus' error instead of throwing, for assertions. */
  async query(expr: string): Promise<{ ok: true; samples: Sample[] } | { ok: false; error: string }> {
    const res = await fetch(`${this.base}/api/v1/query`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ query: expr }).toString(),
    });
    const body = (await res.json()) as Envelope<{ resultType: string; result: unknown }>;
    if (body.status !== 'success') return { ok: false, error: `${body.errorType}: ${body.error}` };
    const { resultType, result } = body.data;
    if (resultType === 'vector') return { ok: true, samples: result as Sample[] };
    if (resultType === 'scalar') return { ok: true, samples: [{ metric: {}, value: result as [number, string] }] };
    return { ok: false, error: `unexpected result type ${resultType}` };
  }

  async samples(expr: string): Promise<Sample[]> {
    const r = await this.query(expr);
    if (!r.ok) throw new Error(`${expr}: ${r.error}`);
    return r.samples;
  }

  async groups(): Promise<ApiGroup[]> {
    return (await this.get<{ groups: ApiGroup[] }>('/api/v1/rules')).groups;
  }

  async alerts(): Promise<ApiAlert[]> {
    return (await this.get<{ alerts: ApiAlert[] }>('/api/v1/alerts')).alerts;
  }

  async activeTargets(): Promise<ApiTarget[]> {
    return (await this.get<{ activeTargets: ApiTarget[] }>('/api/v1/targets?state=active')).activeTargets;
  }

  /** URLs of the Alertmanagers Prometheus sends alerts to. */
  async activeAlertmanagers(): Promise<string[]> {
    return (await this.get<{ activeAlertmanagers: Array<{ url: string }> }>('/api/v1/alertmanagers')).activeAlertmanagers.map((am) => am.url);
  }

  private async get<T>(path: string): Promise<T> {
    const res = await fetch(`${this.base}${path}`);
    const body = (await res.json()) as Envelope<T>;
    if (body.status !== 'success') throw new Error(`${path}: ${body.errorType}: ${body.error}`);
    return body.data;
  }
}
