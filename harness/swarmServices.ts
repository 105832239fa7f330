import os from 'node:os';
import type Docker from 'dockerode';
import { containerHealth, docker, inspectServiceObject, nodeHttpCheck, removeService, SECOND_NS, uniqueName, waitForRunningTask } from './docker';
import { waitFor } from './polling';

/** The busybox image `npm run setup` imports (no registry here). */
export const TEST_IMAGE = 'alertscale-test/busybox:latest';
/**
 * Every Swarm service the tests and the harness create carries this label:
 * `<hostname>:<pid>` of the creating process. A crashed run's leftovers are
 * found by it, and a live run's services (other developers share this
 * machine and its Swarm) are left alone.
 */
const OWNER_LABEL = 'alertscale-test.owner';

export function ownerLabel(): Record<string, string> {
  return { [OWNER_LABEL]: `${os.hostname()}:${process.pid}` };
}

/** Whether a process with this pid exists (EPERM: it does, as another user's). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface TestServiceOptions {
  labels?: Record<string, string>;
  replicas?: number;
  global?: boolean;
}

/**
 * A real Swarm service from the locally imported busybox image, host network,
 * sleeping. Fails loudly when Docker or the image is missing: run
 * `npm run setup`.
 */
export async function createTestService(name: string, options: TestServiceOptions = {}): Promise<void> {
  await docker.createService({
    Name: name,
    Labels: { ...ownerLabel(), ...(options.labels ?? {}) },
    TaskTemplate: {
      ContainerSpec: { Image: TEST_IMAGE, Command: ['sleep', '3600'], StopGracePeriod: 1_000_000_000 },
      Networks: [{ Target: 'host' }],
      RestartPolicy: { Condition: 'none' },
    },
    Mode: options.global ? { Global: {} } : { Replicated: { Replicas: options.replicas ?? 1 } },
  } as Docker.CreateServiceOptions);
}

/**
 * Changes the spec the way `docker service update` or `docker stack deploy` would.
 * Swarm updates a new service's object itself right after creation, so a stale
 * version is retried.
 */
export async function updateTestService(name: string, change: (spec: Docker.ServiceSpec) => void): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    const info = await inspectServiceObject(name);
    const spec = structuredClone(info.Spec ?? {});
    change(spec);
    try {
      await docker.getService(name).update({ _query: { version: info.Version?.Index }, _body: spec });
      return;
    } catch (error) {
      if (attempt >= 5 || !/update out of sequence/.test(String(error))) throw error;
    }
  }
}

export async function removeTestServices(names: string[]): Promise<void> {
  await Promise.all(
    names.map((name) =>
      docker
        .getService(name)
        .remove()
        .catch(() => undefined),
    ),
  );
}

/** Removes services (named `prefix`...) that runs on this host left behind: their creating process is gone. */
export async function removeOrphanedServices(prefix = ''): Promise<string[]> {
  const services = await docker.listServices({ filters: JSON.stringify({ label: [OWNER_LABEL] }) });
  const orphaned = services.filter((service) => {
    const [host, pid] = (service.Spec?.Labels?.[OWNER_LABEL] ?? '').split(':');
    return service.Spec?.Name?.startsWith(prefix) && host === os.hostname() && pid !== undefined && !processAlive(Number(pid));
  });
  const names = orphaned.map((service) => service.Spec?.Name ?? '').filter(Boolean);
  await Promise.all(names.map((name) => removeService(name).catch(() => undefined)));
  return names;
}

/** A node label nobody sets: tasks of these services stay pending, so replicas cost no container. */
const NEVER_PLACED = 'node.labels.alertscale-test-never==true';

/**
 * A real replicated Swarm service whose tasks are never placed: alertscale reads
 * and writes its spec exactly as for any service, and 50 replicas start nothing.
 */
export async function createParkedService(name: string, labels: Record<string, string>, replicas = 1): Promise<void> {
  await docker.createService({
    Name: name,
    Labels: { ...ownerLabel(), ...labels },
    TaskTemplate: {
      ContainerSpec: { Image: TEST_IMAGE, Command: ['sleep', '3600'] },
      Placement: { Constraints: [NEVER_PLACED] },
      RestartPolicy: { Condition: 'none' },
    },
    Mode: { Replicated: { Replicas: replicas } },
  } as Docker.CreateServiceOptions);
}

/** Creates `count` parked services in parallel; their names are pushed to `created` before creation, for cleanup. */
export async function createParkedServices(prefix: string, count: number, labels: Record<string, string>, created: string[], replicas = 1): Promise<string[]> {
  const names = Array.from({ length: count }, () => uniqueName(prefix));
  created.push(...names);
  await Promise.all(names.map((name) => createParkedService(name, labels, replicas)));
  return names;
}

/** One of our own images run as stack.yml runs it, on the host network (no IPVS here). */
export interface HostNetworkServiceOptions {
  image: string;
  /** Absent: the image's own command. */
  command?: string[];
  env: string[];
  /** `uid:gid` as stack.yml's `user:`. */
  user: string;
  /** Supplementary groups (the Docker socket's, for alertscale). */
  groups?: string[];
  mounts?: Docker.MountSettings[];
  /** Port and path the health check asks, as stack.yml's `node -e` one-liner does. */
  health: { port: number; path?: string };
  limits: { memoryMb: number; cpus: number };
  stopGraceSeconds: number;
}

/**
 * Creates the service and waits for its task to run and pass its health check;
 * returns that task's container id. The service carries the owner label, so a
 * crashed run's copy is found and removed later.
 */
export async function deployHealthyHostService(name: string, options: HostNetworkServiceOptions): Promise<string> {
  await docker.createService({
    Name: name,
    Labels: ownerLabel(),
    TaskTemplate: {
      ContainerSpec: {
        Image: options.image,
        ...(options.command ? { Command: options.command } : {}),
        Env: options.env,
        User: options.user,
        ...(options.groups ? { Groups: options.groups } : {}),
        Mounts: options.mounts ?? [],
        StopGracePeriod: options.stopGraceSeconds * SECOND_NS,
        HealthCheck: { Test: nodeHttpCheck(options.health.port, options.health.path), Interval: 1 * SECOND_NS, Timeout: 2 * SECOND_NS, Retries: 3 },
      },
      Networks: [{ Target: 'host' }],
      RestartPolicy: { Condition: 'on-failure', MaxAttempts: 2 },
      Resources: { Limits: { MemoryBytes: options.limits.memoryMb * 1024 * 1024, NanoCPUs: Math.round(options.limits.cpus * SECOND_NS) } },
    },
    Mode: { Replicated: { Replicas: 1 } },
  } as Docker.CreateServiceOptions);
  const task = await waitForRunningTask(name);
  await waitFor(`the ${name} container to be healthy`, async () => (await containerHealth(task.containerId)) === 'healthy');
  return task.containerId;
}
