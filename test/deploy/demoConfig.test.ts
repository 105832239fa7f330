import { ConfigError } from '../../demo/parseEnv';
import { loadProducerConfig } from '../../demo/producerConfig';
import { loadWorkerConfig } from '../../demo/workerConfig';
import { metricsPortSchema, resolveMetricsPort } from '../../demo/metricsPort';
import { decodeJob, encodeJob } from '../../demo/job';

describe('demo configuration', () => {
  it('when nothing is set, then the worker uses the documented defaults', () => {
    expect(loadWorkerConfig({})).toEqual({
      amqpUrl: 'amqp://guest:guest@127.0.0.1:5672',
      queue: 'demo.jobs',
      serviceTimeMs: 100,
      prefetch: 1,
      workMode: 'sleep',
      shutdownGraceMs: 10_000,
      failureRate: 0,
      maxAttempts: 3,
      retryDelayMs: 1_000,
      metricsPort: { mode: 'fixed', port: 9400 },
      logLevel: 'info',
      reconnectMaxDelayMs: 15_000,
    });
  });

  it('when values are invalid, then the error names every variable and never echoes a URL', () => {
    const attempt = () => loadWorkerConfig({ WORKER_PREFETCH: '0', AMQP_URL: 'http://user:secret@host', WORKER_WORK_MODE: 'fast' });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/WORKER_PREFETCH: .*\(got "0"\)/);
    expect(attempt).toThrow(/WORKER_WORK_MODE/);
    expect(attempt).toThrow(/AMQP_URL: expected an amqp/);
    expect(attempt).not.toThrow(/secret/);
  });

  it('when the producer gets both a rate and a burst, then it refuses naming both modes', () => {
    expect(() => loadProducerConfig({ PRODUCER_RATE: '5', PRODUCER_BURST: '10' })).toThrow(/PRODUCER_RATE or PRODUCER_BURST/);
    expect(loadProducerConfig({ PRODUCER_BURST: '10' }).mode).toEqual({ kind: 'burst', jobs: 10 });
    expect(loadProducerConfig({ PRODUCER_RATE: '2.5', PRODUCER_DURATION_S: '60' }).mode).toEqual({ kind: 'rate', jobsPerSecond: 2.5, durationSeconds: 60 });
  });

  it.each([
    ['off', null],
    ['0', null],
    ['auto', 0],
    ['9400', 9400],
  ])('when METRICS_PORT is %s, then the worker listens on %s', (value, port) => {
    expect(resolveMetricsPort(metricsPortSchema.parse(value), undefined)).toBe(port);
  });

  it('when METRICS_PORT is a base port plus slot, then task slot 3 listens on base + 2, and without TASK_SLOT it is refused', () => {
    expect(resolveMetricsPort(loadWorkerConfig({ METRICS_PORT: '9400+slot', TASK_SLOT: '3' }).metricsPort, 3)).toBe(9402);
    expect(() => loadWorkerConfig({ METRICS_PORT: '9400+slot' })).toThrow(/METRICS_PORT: .*TASK_SLOT/);
    expect(() => loadWorkerConfig({ METRICS_PORT: '70000' })).toThrow(/METRICS_PORT/);
  });

  it('when a job is encoded, then it decodes to the same job, and a foreign body decodes to nothing', () => {
    const job = { id: 'a', seq: 1, enqueuedAt: 1_700_000_000_000, producer: 'p' };
    expect(decodeJob(encodeJob(job))).toEqual(job);
    expect(decodeJob(Buffer.from('not json'))).toBeUndefined();
    expect(decodeJob(Buffer.from('{"id":"a"}'))).toBeUndefined();
  });
});
