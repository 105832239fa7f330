import type Docker from 'dockerode';
import { docker, removeLeftoverTestServices, removeTestServices, TEST_IMAGE, TEST_LABEL, uniqueName } from '../../support/swarmServices';

export { docker, removeLeftoverTestServices, removeTestServices, uniqueName };

/** A node label nobody sets: tasks of these services stay pending, so replicas cost no container. */
const NEVER_PLACED = 'node.labels.alertscale-reliability-never==true';

/** Throws (the suite fails, never skips) unless Docker answers and this node is an active Swarm manager. */
export async function assertSwarmReady(): Promise<void> {
  let info: { Swarm?: { LocalNodeState?: string; ControlAvailable?: boolean } };
  try {
    info = (await docker.info()) as typeof info;
  } catch (error) {
    throw new Error(`Docker is required and does not answer on /var/run/docker.sock (run scripts/setup-test-env.sh): ${(error as Error).message}`);
  }
  if (info.Swarm?.LocalNodeState !== 'active' || !info.Swarm.ControlAvailable) {
    throw new Error(`an active Swarm manager is required; docker info says LocalNodeState=${info.Swarm?.LocalNodeState}`);
  }
}

/**
 * A real replicated Swarm service whose tasks are never placed: alertscale reads
 * and writes its spec exactly as for any service, and 50 replicas start nothing.
 */
export async function createParkedService(name: string, labels: Record<string, string>, replicas = 1): Promise<void> {
  await docker.createService({
    Name: name,
    Labels: { [TEST_LABEL]: String(process.pid), ...labels },
    TaskTemplate: {
      ContainerSpec: { Image: TEST_IMAGE, Command: ['sleep', '3600'] },
      Placement: { Constraints: [NEVER_PLACED] },
      RestartPolicy: { Condition: 'none' },
    },
    Mode: { Replicated: { Replicas: replicas } },
  } as Docker.CreateServiceOptions);
}

export interface ServiceSnapshot {
  replicas: number;
  previousReplicas: number | undefined;
  labels: Record<string, string>;
  version: number;
  updatedAt: string;
}

export async function snapshotService(name: string): Promise<ServiceSnapshot> {
  const info = await docker.getService(name).inspect();
  return {
    replicas: info.Spec?.Mode?.Replicated?.Replicas ?? -1,
    previousReplicas: info.PreviousSpec?.Mode?.Replicated?.Replicas,
    labels: info.Spec?.Labels ?? {},
    version: info.Version?.Index ?? -1,
    updatedAt: info.UpdatedAt ?? '',
  };
}

/**
 * "Not half-updated": alertscale writes replicas and alertscale.state.* in one
 * update, so after its last change the labels describe exactly that change.
 * Returns the problems found (empty when consistent).
 */
export function stateProblems(snapshot: ServiceSnapshot, expected: { replicas: number; key?: string; from?: number; action?: string }): string[] {
  const problems: string[] = [];
  const labels = snapshot.labels;
  if (snapshot.replicas !== expected.replicas) problems.push(`replicas ${snapshot.replicas}, expected ${expected.replicas}`);
  if (expected.key !== undefined && labels['alertscale.state.key'] !== expected.key) problems.push(`state.key ${labels['alertscale.state.key']}, expected ${expected.key}`);
  if (expected.from !== undefined && labels['alertscale.state.from'] !== String(expected.from)) problems.push(`state.from ${labels['alertscale.state.from']}, expected ${expected.from}`);
  if (expected.action !== undefined && labels['alertscale.state.action'] !== expected.action) problems.push(`state.action ${labels['alertscale.state.action']}, expected ${expected.action}`);
  const at = labels['alertscale.state.at'];
  if (expected.key !== undefined && (at === undefined || Number.isNaN(Date.parse(at)))) problems.push(`state.at ${at} is not a time`);
  // The update that wrote state.from=N moved the spec with N replicas into PreviousSpec.
  if (expected.from !== undefined && snapshot.previousReplicas !== undefined && snapshot.previousReplicas !== Number(labels['alertscale.state.from'])) {
    problems.push(`PreviousSpec has ${snapshot.previousReplicas} replicas but state.from says ${labels['alertscale.state.from']}`);
  }
  return problems;
}

/** Creates `count` parked services in parallel; their names are pushed to `created` before creation, for cleanup. */
export async function createParkedServices(prefix: string, count: number, labels: Record<string, string>, created: string[], replicas = 1): Promise<string[]> {
  const names = Array.from({ length: count }, () => uniqueName(prefix));
  created.push(...names);
  await Promise.all(names.map((name) => createParkedService(name, labels, replicas)));
  return names;
}
