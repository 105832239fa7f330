import { randomBytes } from 'node:crypto';
import Docker from 'dockerode';
import { describeError } from './describeError';
import { waitFor } from './polling';

/** The local Docker Engine, through its default socket: the one client of the tests, the harness and the benchmarks. */
export const docker = new Docker({ socketPath: '/var/run/docker.sock' });

export const SECOND_NS = 1_000_000_000;

/** A name unique to this run, safe for services, queues, containers and files. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

/** Throws (so the suite fails, never skips) unless Docker answers and this node is an active Swarm manager. */
export async function assertSwarmManager(): Promise<void> {
  let info: { Swarm?: { LocalNodeState?: string; ControlAvailable?: boolean } };
  try {
    info = (await docker.info()) as typeof info;
  } catch (error) {
    throw new Error(`Docker is required and does not answer on /var/run/docker.sock (run \`npm run setup\`): ${describeError(error)}`, { cause: error });
  }
  if (info.Swarm?.LocalNodeState !== 'active' || !info.Swarm.ControlAvailable) {
    throw new Error(
      `this Docker node is not an active Swarm manager (LocalNodeState=${info.Swarm?.LocalNodeState}; \`npm run setup\` runs docker swarm init --advertise-addr 127.0.0.1)`,
    );
  }
}

export interface ServiceSnapshot {
  replicas: number;
  /** Replicas of the spec before the last update through the API. */
  previousReplicas?: number;
  labels: Record<string, string>;
  version: number;
  updatedAt: string;
  /** False until the spec was updated through the API: Swarm's own bookkeeping (e.g. endpoint allocation) bumps the version but never sets PreviousSpec. */
  everUpdated: boolean;
}

/** The service as Docker's API returns it (dockerode types the inspect call as any). */
export async function inspectServiceObject(name: string): Promise<Docker.Service> {
  return (await docker.getService(name).inspect()) as Docker.Service;
}

export async function inspectService(name: string): Promise<ServiceSnapshot> {
  const info = await inspectServiceObject(name);
  const previous = info.PreviousSpec?.Mode?.Replicated?.Replicas;
  return {
    replicas: info.Spec?.Mode?.Replicated?.Replicas ?? -1,
    ...(previous !== undefined ? { previousReplicas: previous } : {}),
    labels: info.Spec?.Labels ?? {},
    version: info.Version?.Index ?? -1,
    updatedAt: info.UpdatedAt ?? '',
    everUpdated: info.PreviousSpec !== undefined,
  };
}

/** Replicas the service asks for now. */
export async function desiredReplicas(service: string): Promise<number> {
  return (await inspectService(service)).replicas;
}

export interface TaskView {
  id: string;
  slot?: number;
  state: string;
  desiredState: string;
  exitCode?: number;
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

/** A container log as Docker sends it without a TTY: frames of [stream, 0, 0, 0, size (4 bytes)] + payload. */
function demultiplexLog(raw: Buffer): string {
  const parts: string[] = [];
  for (let at = 0; at + 8 <= raw.length;) {
    const size = raw.readUInt32BE(at + 4);
    parts.push(raw.subarray(at + 8, at + 8 + size).toString('utf8'));
    at += 8 + size;
  }
  return parts.join('');
}

/**
 * What Swarm says about a service's newest tasks, and the last lines of its
 * newest container's log: for a timeout message, so a service that never
 * became ready says why (a crash loop, a port in use, a rejected task).
 */
export async function describeServiceTasks(service: string, lines = 20): Promise<string> {
  try {
    const tasks = (await listTasks(service)).slice(0, 6);
    const states = tasks.map(
      (t) =>
        `  slot ${t.slot ?? '-'}: ${t.state} (desired ${t.desiredState})${t.exitCode ? ` exit ${t.exitCode}` : ''}${t.error ? `: ${t.error}` : t.message ? `: ${t.message}` : ''}`,
    );
    const newest = tasks.find((t) => t.containerId)?.containerId;
    const log = newest ? demultiplexLog(await docker.getContainer(newest).logs({ stdout: true, stderr: true, tail: lines })) : '';
    return `--- ${service}: tasks, newest first ---\n${states.join('\n')}${log ? `\n--- its newest container's last ${lines} log lines ---\n${log}` : ''}`;
  } catch (error) {
    return `--- ${service}: tasks unknown (${describeError(error)}) ---`;
  }
}

/**
 * Waits until the service's newest task runs. A failed or rejected task is
 * waited past (Swarm may restart it) and named in the timeout message.
 */
export async function waitForRunningTask(service: string, timeoutMs = 30_000): Promise<TaskView & { containerId: string }> {
  return waitFor(
    `a running task of ${service}`,
    async () => {
      const [latest] = await listTasks(service);
      if (latest?.state === 'failed' || latest?.state === 'rejected') throw new Error(`task ${latest.state}: ${latest.error ?? ''}`);
      return latest?.state === 'running' && latest.containerId ? { ...latest, containerId: latest.containerId } : undefined;
    },
    timeoutMs,
  );
}

/** Health of a running task's container (`healthy`, `starting`, ...), if it has a health check. */
export async function containerHealth(containerId: string): Promise<string | undefined> {
  const inspected = await docker.getContainer(containerId).inspect();
  return inspected.State.Health?.Status;
}

/**
 * Removes a service and waits until its containers are gone. Swarm's agent
 * deletes stopped containers only seconds later, so once they have exited
 * (gracefully: a worker requeues what it holds) they are removed here.
 */
export async function removeService(name: string, timeoutMs = 45_000): Promise<void> {
  try {
    await docker.getService(name).remove();
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return;
    throw error;
  }
  const filters = JSON.stringify({ label: [`com.docker.swarm.service.name=${name}`] });
  await waitFor(
    `the containers of ${name} to go`,
    async () => {
      const left = (await docker.listContainers({ all: true, filters })) as Array<{ Id: string; State: string }>;
      const stopped = left.filter((c) => c.State === 'exited' || c.State === 'created' || c.State === 'dead');
      await Promise.all(
        stopped.map((c) =>
          docker
            .getContainer(c.Id)
            .remove()
            .catch(() => undefined),
        ),
      );
      return left.length === 0;
    },
    timeoutMs,
    250,
  );
}

/**
 * The container health check the project ships (Dockerfile, stack.yml): a
 * `node -e` GET of http://127.0.0.1:<port><path>, healthy on 200, so an image
 * needs no curl. `port` is a JavaScript expression evaluated in the container
 * (a number, or e.g. `9400+Number(process.env.TASK_SLOT)-1`).
 */
export function nodeHttpCheck(port: number | string, path = '/healthz', timeoutMs = 2000): string[] {
  const script =
    `require('http').get({host:'127.0.0.1',port:${port},path:'${path}',timeout:${timeoutMs}},` + `r=>process.exit(r.statusCode===200?0:1)).on('error',()=>process.exit(1))`;
  return ['CMD', 'node', '-e', script];
}
