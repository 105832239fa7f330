import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { docker, nodeHttpCheck, removeService, SECOND_NS } from './docker';
import { buildLocalImage } from './images/buildLocalImage';
import { REPO_ROOT } from './repoRoot';
import { ownerLabel } from './swarmServices';

const WORKER_IMAGE_TAG = 'alertscale-local:e2e-demo';

/** The one part of src/ the demo imports: the broker connection (it imports nothing else from src/). */
export const DEMO_SHARED_SOURCES = 'src/adapters/queue/rabbitmq/connection';

/** Hash of what the worker image is built from: demo/ and DEMO_SHARED_SOURCES, tsconfigs, the lockfile, the node binary. */
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
  walk(path.join(REPO_ROOT, DEMO_SHARED_SOURCES));
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
  id: string;
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

export interface SlotServiceSpec {
  name: string;
  image: string;
  script: 'worker' | 'api';
  labels: Record<string, string>;
  /** KEY=value lines on top of TASK_SLOT, RECONNECT_MAX_DELAY_MS and LOG_LEVEL. */
  env: string[];
  /** The replica of slot N listens (and is health-checked) on portBase + N - 1. */
  portBase: number;
  replicas: number;
  stopGraceNs: number;
  mounts?: Array<{ Type: 'bind'; Source: string; Target: string }>;
}

/**
 * A demo process (dist/demo/<script>.js) as a real Swarm service on the host
 * network: replicas share the host's ports, so each listens on its slot's
 * port, and its health check asks that port's /healthz.
 */
export async function createSlotService(spec: SlotServiceSpec): Promise<void> {
  await docker.createService({
    Name: spec.name,
    Labels: { ...ownerLabel(), ...spec.labels },
    TaskTemplate: {
      ContainerSpec: {
        Image: spec.image,
        Command: ['node', `dist/demo/${spec.script}.js`],
        Env: ['TASK_SLOT={{.Task.Slot}}', 'RECONNECT_MAX_DELAY_MS=2000', 'LOG_LEVEL=warn', ...spec.env],
        User: '1000:1000',
        ...(spec.mounts ? { Mounts: spec.mounts } : {}),
        StopGracePeriod: spec.stopGraceNs,
        // Each replica checks its own port: base + TASK_SLOT - 1.
        HealthCheck: { Test: nodeHttpCheck(`${spec.portBase}+Number(process.env.TASK_SLOT)-1`, '/healthz', 1500), Interval: 1 * SECOND_NS, Timeout: 2 * SECOND_NS, Retries: 3 },
      },
      Networks: [{ Target: 'host' }],
      RestartPolicy: { Condition: 'on-failure', Delay: 1 * SECOND_NS, MaxAttempts: 3 },
      Resources: { Limits: { MemoryBytes: 192 * 1024 * 1024 } },
    },
    Mode: { Replicated: { Replicas: spec.replicas } },
  } as never);
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
    await createSlotService({
      name: options.name,
      image: options.image,
      script: 'worker',
      labels: options.labels,
      env: [
        `AMQP_URL=${options.amqpUrl}`,
        `DEMO_QUEUE=${options.queue}`,
        `WORKER_SERVICE_TIME_MS=${options.serviceTimeMs}`,
        `WORKER_PREFETCH=${options.prefetch ?? 1}`,
        'SHUTDOWN_GRACE_MS=1000',
        `METRICS_PORT=${options.metricsBase}+slot`,
        'JOB_LOG_FILE=/joblog/jobs.jsonl',
      ],
      portBase: options.metricsBase,
      replicas: options.replicas,
      stopGraceNs: 5 * SECOND_NS,
      mounts: [{ Type: 'bind', Source: jobLogDir, Target: '/joblog' }],
    });
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
