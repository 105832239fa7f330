import { z } from 'zod';

/** A demo job as it travels on the queue: JSON, carrying its enqueue time. */
export const jobSchema = z.object({
  id: z.string().min(1),
  seq: z.number().int().nonnegative(),
  /** Milliseconds since the epoch when the producer published it. */
  enqueuedAt: z.number().int().positive(),
  producer: z.string(),
});

export type Job = z.infer<typeof jobSchema>;

export function encodeJob(job: Job): Buffer {
  return Buffer.from(JSON.stringify(job));
}

/** The job, or undefined for a body that is not a demo job (the worker rejects it). */
export function decodeJob(body: Buffer): Job | undefined {
  try {
    const parsed = jobSchema.safeParse(JSON.parse(body.toString('utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
