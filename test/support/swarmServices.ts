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

export async function inspectTestService(name: string): Promise<{ replicas: number; labels: Record<string, string>; version: number; updatedAt: string }> {
  const info = await docker.getService(name).inspect();
  return {
    replicas: info.Spec?.Mode?.Replicated?.Replicas ?? -1,
    labels: info.Spec?.Labels ?? {},
    version: info.Version?.Index ?? -1,
    updatedAt: info.UpdatedAt ?? '',
  };
}

/** Changes the spec the way `docker service update` or `docker stack deploy` would. */
export async function updateTestService(name: string, change: (spec: any) => void): Promise<void> {
  const info = await docker.getService(name).inspect();
  const spec = structuredClone(info.Spec);
  change(spec);
  await docker.getService(name).update({ _query: { version: info.Version?.Index }, _body: spec } as never);
}

export async function removeTestServices(names: string[]): Promise<void> {
  await Promise.all(names.map((name) => docker.getService(name).remove().catch(() => undefined)));
}

/** Removes services that earlier, crashed runs of these tests left behind (another pid). */
export async function removeLeftoverTestServices(prefix: string): Promise<void> {
  const services = (await docker.listServices({ filters: JSON.stringify({ label: [TEST_LABEL] }) } as never)) as unknown as Array<{
    Spec?: { Name?: string; Labels?: Record<string, string> };
  }>;
  const stale = services.filter((service) => service.Spec?.Name?.startsWith(prefix) && service.Spec.Labels?.[TEST_LABEL] !== String(process.pid));
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
