import Docker from 'dockerode';

/** The local Docker Engine, through its default socket. */
export const docker = new Docker();

/** A name unique to this run, safe for services, queues and files. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 7)}`;
}

/** Throws (so the suite fails, never skips) unless Docker answers and this node is a Swarm manager. */
export async function assertSwarmManager(): Promise<void> {
  try {
    await docker.ping();
  } catch (err) {
    throw new Error(`Docker is not reachable on its default socket (run scripts/setup-test-env.sh): ${String(err)}`);
  }
  const info = (await docker.info()) as { Swarm?: { LocalNodeState?: string; ControlAvailable?: boolean } };
  if (info.Swarm?.LocalNodeState !== 'active' || !info.Swarm.ControlAvailable) {
    throw new Error('this Docker node is not an active Swarm manager (docker swarm init --advertise-addr 127.0.0.1)');
  }
}

import { findFreePort, waitFor } from './polling';

export { findFreePort as freePort, waitFor };

export interface TaskView {
  id: string;
  slot?: number;
  state: string;
  desiredState: string;
  exitCode?: number;
  health?: string;
  containerId?: string;
  message?: string;
  error?: string;
}

/** The service's tasks, newest first. */
export async function listTasks(service: string): Promise<TaskView[]> {
  const tasks = (await docker.listTasks({ filters: JSON.stringify({ service: [service] }) })) as Array<{
    ID: string;
    Slot?: number;
    DesiredState: string;
    CreatedAt: string;
    Status: { State: string; Message?: string; Err?: string; ContainerStatus?: { ContainerID?: string; ExitCode?: number } };
  }>;
  tasks.sort((a, b) => b.CreatedAt.localeCompare(a.CreatedAt));
  return tasks.map((task) => ({
    id: task.ID,
    ...(task.Slot !== undefined ? { slot: task.Slot } : {}),
    state: task.Status.State,
    desiredState: task.DesiredState,
    ...(task.Status.ContainerStatus?.ExitCode !== undefined ? { exitCode: task.Status.ContainerStatus.ExitCode } : {}),
    ...(task.Status.ContainerStatus?.ContainerID ? { containerId: task.Status.ContainerStatus.ContainerID } : {}),
    ...(task.Status.Message ? { message: task.Status.Message } : {}),
    ...(task.Status.Err ? { error: task.Status.Err } : {}),
  }));
}

/** Health of a running task's container (`healthy`, `starting`, ...), if it has a health check. */
export async function containerHealth(containerId: string): Promise<string | undefined> {
  const inspected = await docker.getContainer(containerId).inspect();
  return inspected.State.Health?.Status;
}

/** Replicas the service asks for now. */
export async function desiredReplicas(service: string): Promise<number | undefined> {
  const inspected = (await docker.getService(service).inspect()) as { Spec: { Mode?: { Replicated?: { Replicas?: number } } } };
  return inspected.Spec.Mode?.Replicated?.Replicas;
}

/** Removes a service if it exists, then waits until its containers are gone. */
export async function removeService(name: string): Promise<void> {
  try {
    await docker.getService(name).remove();
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) return;
    throw err;
  }
  await waitFor(
    `containers of ${name} to go`,
    async () => {
      const left = await docker.listContainers({ all: true, filters: JSON.stringify({ label: [`com.docker.swarm.service.name=${name}`] }) });
      return left.length === 0;
    },
    30_000,
    500,
  ).catch(() => undefined);
}

/** `node -e` health check against http://127.0.0.1:<port><path>: no curl needed in the image. */
export function nodeHttpCheck(port: number, path = '/healthz'): string[] {
  const script =
    `require('http').get({host:'127.0.0.1',port:${port},path:'${path}',timeout:2000},` +
    `r=>process.exit(r.statusCode===200?0:1)).on('error',()=>process.exit(1))`;
  return ['CMD', 'node', '-e', script];
}

export const SECOND_NS = 1_000_000_000;
