import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { docker, nodeHttpCheck, removeService, SECOND_NS } from './docker';
import { buildLocalImage } from './images/buildLocalImage';
import { REPO_ROOT } from './repoRoot';
import { ownerLabel } from './swarmServices';

const WORKER_IMAGE_TAG = 'alertscale-local:e2e-demo';

/** Hash of what the worker image is built from: demo/ sources, tsconfigs, the lockfile, the node binary. */
function workerSourceHash(): string {
  const hash = createHash('sha256');
  const add = (file: string): void => void hash.update(`${path.relative(REPO_ROOT, file)}\n`).update(fs.readFileSync(file));
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile()) add(full);
    }
  };
  walk(path.join(REPO_ROOT, 'demo'));
  for (const file of ['tsconfig.json', 'tsconfig.build.json', 'package.json', 'package-lock.json']) add(path.join(REPO_ROOT, file));
  const node = fs.statSync(fs.realpathSync(process.execPath));
  hash.update(`${process.execPath}:${node.size}:${node.mtimeMs}`);
  return hash.digest('hex').slice(0, 16);
}

/**
 * The demo worker image (node + compiled demo/ + production node_modules),
 * assembled by harness/images/buildLocalImage.ts. Compiling takes seconds, so the
 * result is also tagged with a hash of its sources and reused by later test
 * files and runs while those sources are unchanged (older such tags are removed).
 */
export async function buildWorkerImage(): Promise<string> {
  const alias = `${WORKER_IMAGE_TAG}-${workerSourceHash()}`;
  const exists = await docker
    .getImage(alias)
    .inspect()
    .then(
      () => true,
      () => false,
    );
  if (exists) return alias;
  const built = await buildLocalImage({ tag: WORKER_IMAGE_TAG, roots: ['demo'] });
  const [repo, tag] = alias.split(':') as [string, string];
  await docker.getImage(built.id).tag({ repo, tag });
  const images = (await docker.listImages({ filters: JSON.stringify({ reference: [`${repo}:${WORKER_IMAGE_TAG.split(':')[1]}-*`] }) })) as Array<{ RepoTags?: string[] }>;
  const stale = images.flatMap((image) => image.RepoTags ?? []).filter((name) => name !== alias && name.startsWith(`${WORKER_IMAGE_TAG}-`));
  for (const name of stale)
    await docker
      .getImage(name)
      .remove()
      .catch(() => undefined);
  return alias;
}

export interface WorkerServiceOptions {
  name: string;
  image: string;
  queue: string;
  amqpUrl: string;
  /** Metrics on metricsBase + slot - 1 (host network). */
  metricsBase: number;
  replicas: number;
  /** Service labels: the alertscale.* policy (none: not opted in). */
  labels: Record<string, string>;
  serviceTimeMs: number;
  prefetch?: number;
}

export interface WorkerService {
  name: string;
  queue: string;
  /** Host folder bind-mounted at /joblog; the worker appends jobs.jsonl there. */
  jobLogDir: string;
  jobLogFile: string;
  metricsTargets: (max: number) => string[];
  remove: () => Promise<void>;
}

export interface JobLine {
  seq: number;
  enqueuedAt: string;
  doneAt: string;
  latencySeconds: number;
  worker: string;
  redelivered: boolean;
}

/** The worker's job log: one parsed line per acked job (torn last line ignored). */
export function readJobLog(file: string): JobLine[] {
  if (!fs.existsSync(file)) return [];
  const out: JobLine[] = [];
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (!line) continue;
    try {
      out.push(JSON.parse(line) as JobLine);
    } catch {
      // a line being written right now
    }
  }
  return out;
}

/**
 * The demo worker as a real Swarm service on the host network: replicas share
 * the host's ports, so each listens for metrics on base + slot - 1
 * (METRICS_PORT=<base>+slot), and all append to one job log on a bind mount.
 */
export async function createWorkerService(options: WorkerServiceOptions): Promise<WorkerService> {
  const jobLogDir = fs.mkdtempSync(path.join(os.tmpdir(), 'alertscale-e2e-joblog-'));
  fs.chmodSync(jobLogDir, 0o777);
  const jobLogFile = path.join(jobLogDir, 'jobs.jsonl');
  const remove = async (): Promise<void> => {
    try {
      await removeService(options.name);
    } finally {
      fs.rmSync(jobLogDir, { recursive: true, force: true });
    }
  };
  try {
    await docker.createService({
      Name: options.name,
      Labels: { ...ownerLabel(), ...options.labels },
      TaskTemplate: {
        ContainerSpec: {
          Image: options.image,
          Command: ['node', 'dist/demo/worker.js'],
          Env: [
            `AMQP_URL=${options.amqpUrl}`,
            `DEMO_QUEUE=${options.queue}`,
            `WORKER_SERVICE_TIME_MS=${options.serviceTimeMs}`,
            `WORKER_PREFETCH=${options.prefetch ?? 1}`,
            'SHUTDOWN_GRACE_MS=1000',
            'RECONNECT_MAX_DELAY_MS=2000',
            `METRICS_PORT=${options.metricsBase}+slot`,
            'TASK_SLOT={{.Task.Slot}}',
            'JOB_LOG_FILE=/joblog/jobs.jsonl',
            'LOG_LEVEL=warn',
          ],
          User: '1000:1000',
          Mounts: [{ Type: 'bind', Source: jobLogDir, Target: '/joblog' }],
          StopGracePeriod: 5 * SECOND_NS,
          // Each replica checks its own port: base + TASK_SLOT - 1.
          HealthCheck: {
            Test: nodeHttpCheck(`${options.metricsBase}+Number(process.env.TASK_SLOT)-1`, '/healthz', 1500),
            Interval: 2 * SECOND_NS,
            Timeout: 2 * SECOND_NS,
            Retries: 3,
          },
        },
        Networks: [{ Target: 'host' }],
        RestartPolicy: { Condition: 'on-failure', Delay: 1 * SECOND_NS, MaxAttempts: 3 },
        Resources: { Limits: { MemoryBytes: 192 * 1024 * 1024 } },
      },
      Mode: { Replicated: { Replicas: options.replicas } },
    } as never);
  } catch (error) {
    fs.rmSync(jobLogDir, { recursive: true, force: true });
    throw error;
  }
  return {
    name: options.name,
    queue: options.queue,
    jobLogDir,
    jobLogFile,
    metricsTargets: (max) => Array.from({ length: max }, (_, i) => `127.0.0.1:${options.metricsBase + i}`),
    remove,
  };
}
