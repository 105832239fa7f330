import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import request from 'supertest';
import type { ApiCapacity } from '../../demo/apiConfig';
import { loadApiConfig } from '../../demo/apiConfig';
import { createApiMetrics } from '../../demo/apiMetrics';
import { createApiApp, type DrainState } from '../../demo/createApiApp';
import { drainServer } from '../../demo/drainServer';
import type { Job } from '../../demo/job';
import { WorkCapacity } from '../../demo/workCapacity';

function buildApi(limits: Partial<ApiCapacity> = {}, publishJob: (job: Job) => Promise<void> = async () => undefined) {
  const capacity = new WorkCapacity({ concurrency: 2, serviceTimeMs: 100, queueLimit: 10, maxWaitMs: 1_000, ...limits });
  const metrics = createApiMetrics(() => capacity.queued);
  const drain: DrainState = { draining: false };
  const app = createApiApp({ capacity, metrics, publishJob, drain, replica: 'test:1' });
  return { app, metrics, drain, capacity };
}

async function listen(app: http.RequestListener): Promise<{ server: http.Server; url: string }> {
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** A fresh TCP connection (fetch would reuse a pooled keep-alive socket). */
const connectTcp = (port: number): Promise<void> =>
  new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.destroy();
      resolve();
    });
    socket.on('error', reject);
  });

const timed = async (send: () => Promise<Response>): Promise<{ status: number; ms: number }> => {
  const started = Date.now();
  const response = await send();
  await response.arrayBuffer();
  return { status: response.status, ms: Date.now() - started };
};

describe('demo api: fixed capacity, jobs, drain', () => {
  it('when nothing is set, then the documented defaults give one replica 20 requests/s (2 slots, 100 ms)', () => {
    expect(loadApiConfig({})).toMatchObject({
      port: { mode: 'fixed', port: 8080 },
      capacity: { concurrency: 2, serviceTimeMs: 100, queueLimit: 100, maxWaitMs: 2_000 },
      drainDelayMs: 3_000,
    });
  });

  it('when a variable is wrong, then the error names it and +slot without TASK_SLOT is refused', () => {
    expect(() => loadApiConfig({ API_CONCURRENCY: '0' })).toThrow(/API_CONCURRENCY: .*\(got "0"\)/);
    expect(() => loadApiConfig({ API_PORT: '8080+slot' })).toThrow(/API_PORT: <port>\+slot needs TASK_SLOT/);
    expect(() => loadApiConfig({ API_PORT: 'off' })).toThrow(/API_PORT: the api needs a port/);
  });

  it('when more requests arrive than there are slots, then the extra ones wait in line and are served one service time later', async () => {
    const { app } = buildApi({ concurrency: 2, serviceTimeMs: 100 });
    const { server, url } = await listen(app);
    try {
      const results = await Promise.all(Array.from({ length: 4 }, () => timed(() => fetch(`${url}/work`))));
      expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200]);
      const durations = results.map((r) => r.ms).sort((a, b) => a - b);
      // Two served at once (~100 ms), two after them (~200 ms): capacity is fixed, not "whatever the CPU gives".
      expect(durations[1]).toBeLessThan(180);
      expect(durations[2]).toBeGreaterThanOrEqual(190);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it('when the waiting line is full, then the next request is answered 503 at once and counted as queue_full', async () => {
    const { app, metrics } = buildApi({ concurrency: 1, serviceTimeMs: 200, queueLimit: 1 });
    const { server, url } = await listen(app);
    try {
      const results = await Promise.all(Array.from({ length: 3 }, () => timed(() => fetch(`${url}/work`))));
      expect(results.map((r) => r.status).sort()).toEqual([200, 200, 503]);
      expect(results.find((r) => r.status === 503)?.ms).toBeLessThan(150);
      const text = await metrics.registry.metrics();
      expect(text).toMatch(/http_request_errors_total\{route="\/work",reason="queue_full"\} 1/);
      expect(text).toMatch(/http_request_duration_seconds_count\{route="\/work",method="GET",code="503"\} 1/);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it('when a request waited longer than API_MAX_WAIT_MS, then it is answered 503 (waited_too_long) instead of late', async () => {
    const { app, metrics } = buildApi({ concurrency: 1, serviceTimeMs: 300, queueLimit: 10, maxWaitMs: 100 });
    const { server, url } = await listen(app);
    try {
      const [first, second] = await Promise.all([timed(() => fetch(`${url}/work`)), timed(() => fetch(`${url}/work`))]);
      expect(first?.status).toBe(200);
      expect(second?.status).toBe(503);
      expect(second?.ms).toBeLessThan(250);
      expect(await metrics.registry.metrics()).toMatch(/reason="waited_too_long"\} 1/);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it('when a job is posted, then it is published persistent and answered 202 with its id; when the broker cannot take it, 503', async () => {
    const published: Job[] = [];
    const { app } = buildApi({}, async (job) => void published.push(job));
    const accepted = await request(app).post('/jobs').send({});
    expect(accepted.status).toBe(202);
    expect(accepted.body.id).toBe(published[0]?.id);
    const refused = await request(buildApi({}, async () => Promise.reject(new Error('not connected to the broker'))).app).post('/jobs');
    expect(refused.status).toBe(503);
    expect(refused.body.error).toMatch(/not connected/);
  });

  it('when the metrics are scraped, then they carry the route/method/code histogram (probes left out), the in-flight gauge and the capacity', async () => {
    const { app } = buildApi({ serviceTimeMs: 10 });
    await request(app).get('/work').expect(200);
    await request(app).get('/nowhere').expect(404);
    await request(app).get('/healthz').expect(200);
    const text = (await request(app).get('/metrics')).text;
    expect(text).toMatch(/http_request_duration_seconds_bucket\{le="0.2",route="\/work",method="GET",code="200"\} 1/);
    expect(text).toMatch(/http_request_duration_seconds_count\{route="other",method="GET",code="404"\} 1/);
    expect(text).not.toMatch(/route="\/healthz"/);
    expect(text).toMatch(/http_requests_in_flight 0/);
    expect(text).toMatch(/demo_api_capacity_requests_per_second 200/);
  });

  it('when the server drains, then /healthz answers 503 first, held and waiting requests still get 200, new connections are refused, and it reports complete', async () => {
    const { app, drain } = buildApi({ concurrency: 1, serviceTimeMs: 200, queueLimit: 10 });
    const { server, url } = await listen(app);
    const held = Array.from({ length: 3 }, () => fetch(`${url}/work`).then((r) => r.status));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const drained = drainServer(server, drain, { drainDelayMs: 100, graceMs: 5_000 });
    expect((await fetch(`${url}/healthz`, { headers: { Connection: 'close' } })).status).toBe(503);
    await new Promise((resolve) => setTimeout(resolve, 150));
    await expect(connectTcp(Number(new URL(url).port))).rejects.toThrow(/ECONNREFUSED/);
    expect(await Promise.all(held)).toEqual([200, 200, 200]);
    await expect(drained).resolves.toBe(true);
  });

  it('when held requests outlast the grace period, then their connections are cut and drain reports incomplete', async () => {
    const { app, drain } = buildApi({ concurrency: 1, serviceTimeMs: 1_000 });
    const { server, url } = await listen(app);
    const held = fetch(`${url}/work`).then(
      (r) => r.status,
      () => 'cut',
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    await expect(drainServer(server, drain, { drainDelayMs: 0, graceMs: 100 })).resolves.toBe(false);
    expect(await held).toBe('cut');
  });
});
