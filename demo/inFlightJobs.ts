import type { Channel, ConsumeMessage } from 'amqplib';

/** A delivery being worked on, with the channel it must be acked on. */
export interface InFlightJob {
  message: ConsumeMessage;
  channel: Channel;
  /** Set when shutdown has given the job back to the broker: do not ack it. */
  released: boolean;
  done: Promise<void>;
}

/** The deliveries a worker holds, so shutdown can wait for or release them. */
export class InFlightJobs {
  private readonly jobs = new Set<InFlightJob>();

  get size(): number {
    return this.jobs.size;
  }

  add(job: InFlightJob): void {
    this.jobs.add(job);
    void job.done.finally(() => this.jobs.delete(job));
  }

  /** Waits up to `graceMs` for every job to finish; returns those still running. */
  async drain(graceMs: number): Promise<InFlightJob[]> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, graceMs);
    });
    await Promise.race([Promise.allSettled([...this.jobs].map((job) => job.done)), deadline]);
    clearTimeout(timer);
    return [...this.jobs];
  }
}
