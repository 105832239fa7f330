import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { scrapeMetric } from '../support/scrapeMetrics';
import { assertSwarmManager, docker, listTasks, removeService, uniqueName } from '../../harness/docker';
import { buildLocalImage } from '../../harness/images/buildLocalImage';
import { DOCKER_CLI } from '../../harness/images/importImage';
import { findFreePort, waitFor } from '../../harness/polling';
import { deleteQueue, queueStatus, AMQP_URL, withBroker } from '../../harness/rabbit';
import { deployHealthyHostService } from '../../harness/swarmServices';

const run = promisify(execFile);
const JOBS = 40;
jest.setTimeout(120_000);

/**
 * The demo worker as a real Swarm service: image assembled locally (no registry),
 * host network, consuming from this machine's RabbitMQ on a queue of its own.
 */
describe('demo worker as a Swarm service', () => {
  const service = uniqueName('alertscale-test-demo-worker');
  const queue = `alertscale-test.${service}`;
  const logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'alertscale-joblog-'));
  const jobLogFile = path.join(logDir, 'jobs.jsonl');
  let image = '';
  let metricsPort = 0;

  /** The job log as parsed lines (the worker appends one per acked job). */
  const readJobLog = (): Array<{ seq: number; latencySeconds: number; queue: string }> =>
    fs.existsSync(jobLogFile)
      ? fs
          .readFileSync(jobLogFile, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((line) => JSON.parse(line) as { seq: number; latencySeconds: number; queue: string })
      : [];

  /** Runs the demo producer from the same image, once, on the host network. */
  const produce = async (jobs: number): Promise<string> => {
    const { stdout } = await run(
      DOCKER_CLI,
      [
        'run',
        '--rm',
        '--network',
        'host',
        '--name',
        uniqueName('alertscale-test-producer'),
        '-e',
        `AMQP_URL=${AMQP_URL}`,
        '-e',
        `DEMO_QUEUE=${queue}`,
        '-e',
        `PRODUCER_BURST=${jobs}`,
        '-e',
        'METRICS_PORT=off',
        image,
        'node',
        'dist/demo/producer.js',
      ],
      { timeout: 60_000 },
    );
    return stdout;
  };

  beforeAll(async () => {
    await assertSwarmManager();
    await withBroker(async () => undefined);
    fs.chmodSync(logDir, 0o777);
    image = (await buildLocalImage({ tag: 'alertscale-local:demo-test', roots: ['demo'] })).tag;
    metricsPort = await findFreePort();
  });

  afterAll(async () => {
    try {
      await removeService(service);
    } finally {
      // Retried: another suite may be restarting the broker right now.
      await waitFor('the test queue to be deleted', async () => (await deleteQueue(queue), true), 20_000, 1000).catch(() => undefined);
      fs.rmSync(logDir, { recursive: true, force: true });
    }
  });

  it('when the worker is deployed as a Swarm service on the host network, then its task runs healthy and serves metrics on base port + slot', async () => {
    await deployHealthyHostService(service, {
      image,
      command: ['node', 'dist/demo/worker.js'],
      env: [
        `AMQP_URL=${AMQP_URL}`,
        `DEMO_QUEUE=${queue}`,
        'WORKER_SERVICE_TIME_MS=20',
        'WORKER_PREFETCH=4',
        'SHUTDOWN_GRACE_MS=1000',
        `METRICS_PORT=${metricsPort}+slot`,
        'TASK_SLOT={{.Task.Slot}}',
        'JOB_LOG_FILE=/joblog/jobs.jsonl',
      ],
      user: '1000:1000',
      mounts: [{ Type: 'bind', Source: logDir, Target: '/joblog' }],
      health: { port: metricsPort },
      limits: { memoryMb: 256, cpus: 1 },
      stopGraceSeconds: 10,
    });
    const [task] = await listTasks(service);
    expect(task?.slot).toBe(1);
    await waitFor('the worker to consume', async () => (await queueStatus(queue)).consumerCount === 1);
    expect(await scrapeMetric(metricsPort, 'demo_jobs_in_flight', { queue })).toBe(0);
  });

  it(`when the producer publishes ${JOBS} jobs, then every job is acked once and its latency is in the job log and the histogram`, async () => {
    const output = await produce(JOBS);
    expect(output).toContain('"allConfirmed":true');

    const lines = await waitFor(`${JOBS} lines in the job log`, async () => {
      const parsed = readJobLog();
      return parsed.length >= JOBS ? parsed : undefined;
    });
    expect(lines).toHaveLength(JOBS);
    expect(new Set(lines.map((line) => line.seq)).size).toBe(JOBS);
    for (const line of lines) {
      expect(line.queue).toBe(queue);
      expect(line.latencySeconds).toBeGreaterThanOrEqual(0.02);
      expect(line.latencySeconds).toBeLessThan(30);
    }
    expect(await queueStatus(queue)).toEqual({ messageCount: 0, consumerCount: 1 });
    expect(await scrapeMetric(metricsPort, 'demo_job_latency_seconds_count', { queue })).toBe(JOBS);
    expect(await scrapeMetric(metricsPort, 'demo_jobs_processed_total', { queue, outcome: 'acked' })).toBe(JOBS);
  });

  it('when the service is scaled to 0 with jobs in flight, then the worker requeues them within its grace period and exits 0', async () => {
    // Slow jobs: the rolling update itself stops the first task (SIGTERM) and starts a new one.
    const current = await docker.getService(service).inspect();
    const spec = current.Spec as { TaskTemplate: { ContainerSpec: { Env: string[] } } };
    spec.TaskTemplate.ContainerSpec.Env = spec.TaskTemplate.ContainerSpec.Env.map((entry) =>
      entry.startsWith('WORKER_SERVICE_TIME_MS=') ? 'WORKER_SERVICE_TIME_MS=60000' : entry,
    );
    await docker.getService(service).update({ version: current.Version.Index, ...current.Spec });
    const replaced = await waitFor(
      'the updated task to run',
      async () => {
        const tasks = await listTasks(service);
        return tasks.length >= 2 && tasks[0]?.state === 'running' ? tasks : undefined;
      },
      60_000,
    );
    expect(replaced[1]).toMatchObject({ state: 'shutdown', exitCode: 0 });
    await waitFor('the new worker to consume', async () => (await queueStatus(queue)).consumerCount === 1);

    await produce(3);
    await waitFor('3 jobs in flight', async () => (await scrapeMetric(metricsPort, 'demo_jobs_in_flight', { queue })) === 3);
    expect((await queueStatus(queue)).messageCount).toBe(0);

    const scaled = await docker.getService(service).inspect();
    await docker.getService(service).update({
      version: scaled.Version.Index,
      ...scaled.Spec,
      Mode: { Replicated: { Replicas: 0 } },
    });
    const stopped = await waitFor(
      'the task to stop',
      async () => {
        const [latest] = await listTasks(service);
        return latest && latest.state !== 'running' && latest.exitCode !== undefined ? latest : undefined;
      },
      30_000,
    );
    expect(stopped).toMatchObject({ state: 'shutdown', exitCode: 0 });
    expect(await queueStatus(queue)).toEqual({ messageCount: 3, consumerCount: 0 });
    expect(readJobLog()).toHaveLength(JOBS);
  });
});
