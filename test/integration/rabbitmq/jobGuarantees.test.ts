import fs from 'node:fs';
import path from 'node:path';
import type { ChannelModel } from 'amqplib';
import { jobQueues } from '../../../demo/jobTopology';
import { encodeJob } from '../../../demo/job';
import { REASON_HEADER } from '../../../demo/settleJob';
import { compileDemo, startDemoProcess } from '../../support/demoProcess';
import { waitFor } from '../../../harness/polling';
import type { OwnedProcess } from '../../../harness/ownedProcess';
import { readJobLog } from '../../../harness/workerService';
import { AMQP_URL, connectBroker } from '../../../harness/rabbit';
import { uniqueName } from '../../../harness/docker';

jest.setTimeout(120_000);

/**
 * The demo worker's messaging guarantees on the real broker: persistent jobs,
 * bounded retries with a delay, a dead-letter queue with reasons, acks after
 * the work — and no job lost when a worker is killed -9 while it holds jobs.
 */
describe('demo worker: every job is acked once or dead-lettered with its reason', () => {
  let buildDir = '';
  const queue = uniqueName('jobs');
  const workers: OwnedProcess[] = [];
  let admin: ChannelModel;

  beforeAll(async () => {
    buildDir = compileDemo();
    admin = await connectBroker();
  });

  afterAll(async () => {
    await Promise.all(workers.map((worker) => worker.stop(2_000)));
    const channel = await admin.createChannel();
    for (const name of Object.values(jobQueues(queue))) await channel.deleteQueue(name);
    await admin.close();
    fs.rmSync(buildDir, { recursive: true, force: true });
  });

  const startWorker = (name: string, jobLog: string): OwnedProcess => {
    const worker = startDemoProcess(buildDir, 'worker', name, {
      AMQP_URL,
      DEMO_QUEUE: queue,
      METRICS_PORT: 'off',
      WORKER_SERVICE_TIME_MS: '300',
      WORKER_PREFETCH: '4',
      WORKER_FAILURE_RATE: '0.3',
      WORKER_MAX_ATTEMPTS: '2',
      WORKER_RETRY_DELAY_MS: '200',
      JOB_LOG_FILE: jobLog,
    });
    workers.push(worker);
    return worker;
  };

  it('when jobs fail transiently, some bodies are not jobs, and a worker is killed -9 mid-job, then every job is done or in the dead-letter queue with a reason, none lost', async () => {
    const jobLog = path.join(buildDir, 'jobs.jsonl');
    const ids = Array.from({ length: 40 }, (_, seq) => `job-${seq}`);
    const publisher = await admin.createConfirmChannel();
    await publisher.assertQueue(queue, { durable: true });
    ids.forEach((id, seq) => publisher.sendToQueue(queue, encodeJob({ id, seq, enqueuedAt: Date.now(), producer: 'test' }), { persistent: true, messageId: id }));
    publisher.sendToQueue(queue, Buffer.from('not json'), { persistent: true, messageId: 'garbage-1' });
    publisher.sendToQueue(queue, Buffer.from('{"id":42}'), { persistent: true, messageId: 'garbage-2' });
    await publisher.waitForConfirms();

    const first = startWorker('worker A', jobLog);
    await waitFor('worker A to finish a few jobs', async () => readJobLog(jobLog).length >= 5, 30_000, 50);
    expect(first.pid).toBeDefined();
    process.kill(first.pid as number, 'SIGKILL'); // holds up to 4 unacked deliveries right now
    await first.exited;
    startWorker('worker B', jobLog);

    const dead = new Map<string, string>();
    const reader = await admin.createChannel();
    await waitFor(
      'every job to be done or dead-lettered',
      async () => {
        for (let message = await reader.get(jobQueues(queue).dead); message; message = await reader.get(jobQueues(queue).dead)) {
          dead.set(String(message.properties.messageId), String(message.properties.headers?.[REASON_HEADER] ?? ''));
          reader.ack(message);
        }
        const done = new Set(readJobLog(jobLog).map((line) => `job-${line.seq}`));
        return ids.every((id) => done.has(id) || dead.has(id)) && dead.has('garbage-1') && dead.has('garbage-2');
      },
      60_000,
      200,
    );

    const lines = readJobLog(jobLog);
    expect(dead.get('garbage-1')).toMatch(/^unparsable/);
    expect(dead.get('garbage-2')).toMatch(/^unparsable/);
    for (const [id, reason] of dead) if (id.startsWith('job-')) expect(reason).toBe('failed 2 attempts (simulated transient failure)');
    // The killed worker's unacked jobs came back to worker B.
    expect(lines.some((line) => line.redelivered)).toBe(true);
    const counts = await Promise.all(Object.values(jobQueues(queue)).map((name) => reader.checkQueue(name)));
    expect(counts.map((c) => c.messageCount)).toEqual([0, 0, 0]);
  });
});
