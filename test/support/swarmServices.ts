import { randomBytes } from 'node:crypto';
import Docker from 'dockerode';

export const TEST_IMAGE = 'alertscale-test/busybox:latest';
/** Every service the core tests make carries this label, so leftovers from a crashed run can be found. */
export const TEST_LABEL = 'alertscale-test.run';

export const docker = new Docker({ socketPath: '/var/run/docker.sock' });

export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

export interface TestServiceOptions {
  labels?: Record<string, string>;
  replicas?: number;
  global?: boolean;
}

/**
 * A real Swarm service from the locally imported busybox image, host network,
 * sleeping. Fails loudly when Docker or the image is missing: run
 * scripts/setup-test-env.sh.
 */
export async function createTestService(name: string, options: TestServiceOptions = {}): Promise<void> {
  await docker.createService({
    Name: name,
    Labels: { [TEST_LABEL]: String(process.pid), ...(options.labels ?? {}) },
    TaskTemplate: {
      ContainerSpec: { Image: TEST_IMAGE, Command: ['sleep', '3600'], StopGracePeriod: 1_000_000_000 },
      Networks: [{ Target: 'host' }],
      RestartPolicy: { Condition: 'none' },
    },
    Mode: options.global ? { Global: {} } : { Replicated: { Replicas: options.replicas ?? 1 } },
  } as Docker.CreateServiceOptions);
}

export interface TestServiceView {
  replicas: number;
  labels: Record<string, string>;
  updatedAt: string;
  /** False until the spec was updated through the API: Swarm's own bookkeeping (e.g. endpoint allocation) bumps the version but never sets PreviousSpec. */
  everUpdated: boolean;
}

export async function inspectTestService(name: string): Promise<TestServiceView> {
  const info = await docker.getService(name).inspect();
  return {
    replicas: info.Spec?.Mode?.Replicated?.Replicas ?? -1,
    labels: info.Spec?.Labels ?? {},
    updatedAt: info.UpdatedAt ?? '',
    everUpdated: info.PreviousSpec !== undefined,
  };
}

/**
 * Changes the spec the way `docker service update` or `docker stack deploy` would.
 * Swarm updates a new service's object itself right after creation, so a stale
 * version is retried.
 */
export async function updateTestService(name: string, change: (spec: any) => void): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    const info = await docker.getService(name).inspect();
    const spec = structuredClone(info.Spec);
    change(spec);
    try {
      await docker.getService(name).update({ _query: { version: info.Version?.Index }, _body: spec } as never);
      return;
    } catch (error) {
      if (attempt >= 5 || !/update out of sequence/.test(String(error))) throw error;
    }
  }
}

export async function removeTestServices(names: string[]): Promise<void> {
  await Promise.all(names.map((name) => docker.getService(name).remove().catch(() => undefined)));
}

/** True while a process with that pid runs on this machine: its services are in use, not leftovers. */
export function isProcessAlive(pid: string | undefined): boolean {
  if (pid === undefined || !/^\d+$/.test(pid)) return false;
  try {
    process.kill(Number(pid), 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes services that earlier, crashed runs of these tests left behind (their process is gone). */
export async function removeLeftoverTestServices(prefix: string): Promise<void> {
  const services = (await docker.listServices({ filters: JSON.stringify({ label: [TEST_LABEL] }) } as never)) as unknown as Array<{
    Spec?: { Name?: string; Labels?: Record<string, string> };
  }>;
  const stale = services.filter((service) => service.Spec?.Name?.startsWith(prefix) && !isProcessAlive(service.Spec.Labels?.[TEST_LABEL]));
  await removeTestServices(stale.map((service) => service.Spec?.Name ?? ''));
}

export async function waitUntil<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000, intervalMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
