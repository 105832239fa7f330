import os from 'node:os';
import { connect } from 'amqplib';
import { createProducerMetrics } from '../demo/producerMetrics';
import { publishJob } from '../demo/publishJob';
import { seededRandom } from '../test/reliability/support/report';
import { sleep } from '../harness/polling';

export interface NoiseLoad {
  /** Mean rate, jobs/s. */
  meanRate: number;
  /** Relative variation: each segment's rate is mean × (1 ± variation), uniform. */
  variation: number;
  segmentSeconds: number;
  durationSeconds: number;
  seed: number;
}

/**
 * Publishes demo jobs to `queue` at a rate that changes every segment (seeded
 * uniform noise around the mean), on one confirm channel, like a steady
 * service whose traffic jitters. Returns the jobs published and the rates used.
 */
export async function publishNoise(amqpUrl: string, queue: string, load: NoiseLoad): Promise<{ published: number; rates: number[] }> {
  const random = seededRandom(load.seed);
  const broker = await connect(amqpUrl);
  const channel = await broker.createConfirmChannel();
  const metrics = createProducerMetrics(queue);
  const producer = `${os.hostname()}:${process.pid}:noise`;
  const rates: number[] = [];
  let seq = 0;
  try {
    const started = Date.now();
    for (let segment = 0; segment * load.segmentSeconds < load.durationSeconds; segment++) {
      const rate = load.meanRate * (1 + load.variation * (2 * random() - 1));
      rates.push(rate);
      const segmentStart = started + segment * load.segmentSeconds * 1000;
      let sent = 0;
      while (Date.now() < segmentStart + load.segmentSeconds * 1000) {
        const due = Math.floor(((Date.now() - segmentStart) / 1000) * rate) - sent;
        for (let i = 0; i < due; i++) await publishJob(channel, queue, seq++, producer, metrics);
        sent += Math.max(0, due);
        await sleep(50);
      }
    }
    await channel.waitForConfirms();
  } finally {
    await broker.close().catch(() => undefined);
  }
  return { published: seq, rates };
}
