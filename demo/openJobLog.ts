import fs from 'node:fs';

/** One line per finished job, for benchmarks that need exact latencies. */
export interface JobRecord {
  id: string;
  seq: number;
  queue: string;
  worker: string;
  enqueuedAt: string;
  startedAt: string;
  doneAt: string;
  latencySeconds: number;
  serviceSeconds: number;
  redelivered: boolean;
}

export interface JobLog {
  write(record: JobRecord): void;
  close(): Promise<void>;
}

/** Appends JSON lines to `path` (created if missing; several workers may share it). */
export function openJobLog(path: string): JobLog {
  const stream = fs.createWriteStream(path, { flags: 'a' });
  return {
    write: (record) => {
      stream.write(`${JSON.stringify(record)}\n`);
    },
    close: () => new Promise<void>((resolve) => stream.end(() => resolve())),
  };
}
