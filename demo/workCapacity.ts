import type { ApiCapacity } from './apiConfig';

/** Why a request got no slot: the line was full, or it waited longer than allowed. */
export type Refusal = 'queue_full' | 'waited_too_long';

export class CapacityRefused extends Error {
  override readonly name = 'CapacityRefused';
  constructor(readonly reason: Refusal) {
    super(`no capacity: ${reason}`);
  }
}

interface Waiter {
  grant: (release: () => void) => void;
  timer: NodeJS.Timeout;
}

/**
 * A replica's fixed capacity: at most `concurrency` requests in service, up to
 * `queueLimit` more waiting in arrival order, each for at most `maxWaitMs`.
 * So a replica saturates at concurrency / service time whatever the host's
 * CPUs, and another replica really adds that much capacity.
 */
export class WorkCapacity {
  private inService = 0;
  private readonly waiting: Waiter[] = [];

  constructor(readonly limits: ApiCapacity) {}

  get busy(): number {
    return this.inService;
  }

  get queued(): number {
    return this.waiting.length;
  }

  /** Resolves with the function that frees the slot; rejects with CapacityRefused. */
  acquire(): Promise<() => void> {
    if (this.inService < this.limits.concurrency) {
      this.inService++;
      return Promise.resolve(this.releaser());
    }
    if (this.waiting.length >= this.limits.queueLimit) return Promise.reject(new CapacityRefused('queue_full'));
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        grant: resolve,
        timer: setTimeout(() => {
          this.waiting.splice(this.waiting.indexOf(waiter), 1);
          reject(new CapacityRefused('waited_too_long'));
        }, this.limits.maxWaitMs),
      };
      this.waiting.push(waiter);
    });
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      if (!next) {
        this.inService--;
        return;
      }
      clearTimeout(next.timer);
      next.grant(this.releaser());
    };
  }
}
