import fs from 'node:fs';
import { jobQueues } from '../../demo/jobTopology';
import type { OwnedProcess } from '../../harness/ownedProcess';
import { serversUp, startLoopbackEdge, type LoopbackEdge } from '../../harness/edge';
import { compileDemo, startDemoProcess } from '../support/demoProcess';
import { findFreePort, sleep, waitFor, findFreePortRange } from '../../harness/polling';
import { deleteQueue, AMQP_URL } from '../../harness/rabbit';

jest.setTimeout(90_000);

/**
 * The shipped HAProxy config (loopback variant: fixed per-slot servers) in
 * front of real demo api processes: it balances, it sends nothing to a replica
 * that drains, a replica that starts gets traffic once healthy, and not one
 * request fails meanwhile.
 */
describe('edge: HAProxy in front of the demo api', () => {
  const queue = `alertscale-edge-test.${process.pid}.${Date.now().toString(36)}`;
  const replicas = new Map<number, OwnedProcess>();
  let buildDir = '';
  let slots: number[] = [];
  let edge: LoopbackEdge | undefined;

  const startReplica = (slot: number): void => {
    replicas.set(
      slot,
      startDemoProcess(buildDir, 'api', `api slot ${slot}`, {
        AMQP_URL: AMQP_URL,
        DEMO_QUEUE: queue,
        API_PORT: String(slots[slot - 1]),
        API_CONCURRENCY: '4',
        API_SERVICE_TIME_MS: '50',
        DRAIN_DELAY_MS: '1500',
        SHUTDOWN_GRACE_MS: '5000',
      }),
    );
  };

  beforeAll(async () => {
    buildDir = compileDemo();
    const base = await findFreePortRange(3);
    slots = [base, base + 1, base + 2];
    startReplica(1);
    startReplica(2);
    // HAProxy counts a server UP until its first check fails: start it once the replicas answer.
    for (const port of slots.slice(0, 2)) await waitFor(`api on ${port}`, async () => (await fetch(`http://127.0.0.1:${port}/healthz`)).ok, 20_000, 100);
    edge = await startLoopbackEdge(buildDir, { listen: await findFreePort(), metrics: await findFreePort(), slots });
    await waitFor('both replicas UP behind the edge', async () => (await serversUp(edge as LoopbackEdge)) === 2, 20_000, 200);
  });

  afterAll(async () => {
    await Promise.all([...replicas.values()].map((replica) => replica.stop()));
    await edge?.process.stop();
    for (const name of Object.values(jobQueues(queue))) await deleteQueue(name).catch(() => undefined);
    fs.rmSync(buildDir, { recursive: true, force: true });
  });

  const work = async (): Promise<{ status: number; replica?: string }> => {
    const response = await fetch(`${(edge as LoopbackEdge).url}/work`);
    const body = (await response.json().catch(() => ({}))) as { replica?: string };
    return { status: response.status, ...(body.replica ? { replica: body.replica } : {}) };
  };

  it('when requests arrive at the edge, then both healthy replicas serve them', async () => {
    const results = await Promise.all(Array.from({ length: 40 }, () => work()));
    expect(results.map((r) => r.status).filter((s) => s !== 200)).toEqual([]);
    expect(new Set(results.map((r) => r.replica)).size).toBe(2);
  });

  it('when one replica drains (SIGTERM) and another starts under steady load, then every request succeeds, the drained one exits 0 and the new one takes traffic', async () => {
    const statuses: number[] = [];
    const servedBy = new Set<string>();
    let running = true;
    const clients = Array.from({ length: 6 }, async () => {
      while (running) {
        const result = await work().catch(() => ({ status: 0 }));
        statuses.push(result.status);
        if ('replica' in result && result.replica) servedBy.add(result.replica);
      }
    });
    await sleep(1_000);
    const leaving = replicas.get(1) as OwnedProcess;
    const exited = leaving.exited;
    await leaving.stop(10_000);
    startReplica(3);
    await waitFor('the new replica UP', async () => (await serversUp(edge as LoopbackEdge)) === 2, 20_000, 200);
    servedBy.clear();
    await sleep(2_000);
    running = false;
    await Promise.all(clients);
    expect(await exited).toBe(0);
    expect(statuses.length).toBeGreaterThan(100);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    expect(servedBy.size).toBe(2);
  });

  it("when Prometheus scrapes the edge, then HAProxy's exporter reports the backend's queue, sessions and responses", async () => {
    const text = await (await fetch(`http://${(edge as LoopbackEdge).metricsTarget}/metrics`)).text();
    expect(text).toMatch(/^haproxy_backend_current_queue\{proxy="api"\} \d+$/m);
    expect(text).toMatch(/^haproxy_backend_current_sessions\{proxy="api"\} \d+$/m);
    // What rules/http.rules.yml reads as the arrivals: counted when a request reaches the backend.
    expect(text).toMatch(/^haproxy_backend_sessions_total\{proxy="api"\} [1-9]\d*$/m);
    expect(text).toMatch(/^haproxy_backend_http_responses_total\{proxy="api",code="2xx"\} [1-9]\d*$/m);
  });
});
