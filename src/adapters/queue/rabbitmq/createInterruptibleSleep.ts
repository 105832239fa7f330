export interface InterruptibleSleep {
  /** Resolves after ms, or at once when interrupted (now or later). */
  sleep(ms: number): Promise<void>;
  /** Ends every sleep, and every later one at once: a stopping consumer does not wait out its requeue pauses. */
  interrupt(): void;
}

export function createInterruptibleSleep(): InterruptibleSleep {
  let interrupted = false;
  const sleepers = new Set<() => void>();
  return {
    sleep(ms: number): Promise<void> {
      if (interrupted || ms <= 0) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          sleepers.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, ms);
        sleepers.add(wake);
      });
    },
    interrupt(): void {
      interrupted = true;
      for (const wake of [...sleepers]) wake();
    },
  };
}
