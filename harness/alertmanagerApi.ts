/** The few Alertmanager API v2 calls the e2e tests make (loopback only). */

export interface AmAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  status: { state: 'active' | 'suppressed' | 'unprocessed'; silencedBy: string[]; inhibitedBy: string[] };
}

export interface AmSilence {
  id: string;
  status: { state: 'active' | 'pending' | 'expired' };
  matchers: Array<{ name: string; value: string; isRegex: boolean; isEqual?: boolean }>;
  startsAt: string;
  endsAt: string;
}

export class AlertmanagerApi {
  constructor(readonly base: string) {}

  async alerts(filter: Record<string, string> = {}): Promise<AmAlert[]> {
    const query = new URLSearchParams();
    for (const [name, value] of Object.entries(filter)) query.append('filter', `${name}="${value}"`);
    const response = await fetch(`${this.base}/api/v2/alerts?${query.toString()}`);
    if (!response.ok) throw new Error(`GET /api/v2/alerts answered ${response.status}`);
    return (await response.json()) as AmAlert[];
  }

  /** POST /api/v2/silences: silences every alert whose `name` label equals `value`. Resolves with the silence id. */
  async silence(name: string, value: string, durationMs: number, comment: string): Promise<string> {
    const now = Date.now();
    const response = await fetch(`${this.base}/api/v2/silences`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        matchers: [{ name, value, isRegex: false, isEqual: true }],
        startsAt: new Date(now).toISOString(),
        endsAt: new Date(now + durationMs).toISOString(),
        createdBy: 'alertscale e2e',
        comment,
      }),
    });
    if (!response.ok) throw new Error(`POST /api/v2/silences answered ${response.status}: ${await response.text()}`);
    return ((await response.json()) as { silenceID: string }).silenceID;
  }

  async getSilence(id: string): Promise<AmSilence> {
    const response = await fetch(`${this.base}/api/v2/silence/${id}`);
    if (!response.ok) throw new Error(`GET /api/v2/silence/${id} answered ${response.status}`);
    return (await response.json()) as AmSilence;
  }

  /** DELETE /api/v2/silence/{id}: expires the silence now. */
  async expireSilence(id: string): Promise<void> {
    const response = await fetch(`${this.base}/api/v2/silence/${id}`, { method: 'DELETE' });
    if (!response.ok) throw new Error(`DELETE /api/v2/silence/${id} answered ${response.status}: ${await response.text()}`);
  }
}
