import fs from 'node:fs';
import { createDockerClient } from '../../src/adapters/docker/createDockerClient';
import { assertSwarmManager, containerHealth, docker, listTasks, nodeHttpCheck, removeService, SECOND_NS, uniqueName, inspectService } from '../../harness/docker';
import { buildLocalImage, DEFAULT_LOCAL_TAG } from '../../harness/images/buildLocalImage';
import { findFreePort, waitFor } from '../../harness/polling';
import { createTestService } from '../../harness/swarmServices';

jest.setTimeout(120_000);

const DOCKER_SOCKET = '/var/run/docker.sock';

/**
 * The Docker API guard as stack.yml runs it: alertscale's image with
 * `node dist/src/guard/main.js`, uid 1000 with the socket's group as its group
 * (`user: "1000:${DOCKER_GID}"`), the socket mounted; here on the host network
 * on a loopback port (no IPVS on this machine).
 */
describe('the Docker API guard as a Swarm service', () => {
  const guard = uniqueName('alertscale-test-guard');
  const target = uniqueName('alertscale-test-guarded');
  let port = 0;

  beforeAll(async () => {
    await assertSwarmManager();
    await buildLocalImage({ tag: DEFAULT_LOCAL_TAG, roots: ['src', 'demo'] });
    port = await findFreePort();
  });

  afterAll(async () => {
    await Promise.allSettled([removeService(guard), removeService(target)]);
  });

  it('when deployed like stack.yml, then it becomes healthy, forwards a scale and refuses a create', async () => {
    const socketGroup = String(fs.statSync(DOCKER_SOCKET).gid);
    await docker.createService({
      Name: guard,
      Labels: { 'alertscale.test': 'true' },
      TaskTemplate: {
        ContainerSpec: {
          Image: DEFAULT_LOCAL_TAG,
          Command: ['node', 'dist/src/guard/main.js'],
          Env: ['GUARD_MODE=scale', `GUARD_LISTEN=tcp://127.0.0.1:${port}`, 'LOG_LEVEL=info'],
          User: `1000:${socketGroup}`,
          Mounts: [{ Type: 'bind', Source: DOCKER_SOCKET, Target: DOCKER_SOCKET, ReadOnly: true }],
          StopGracePeriod: 5 * SECOND_NS,
          HealthCheck: { Test: nodeHttpCheck(port, '/_ping'), Interval: 1 * SECOND_NS, Timeout: 2 * SECOND_NS, Retries: 3 },
        },
        Networks: [{ Target: 'host' }],
        RestartPolicy: { Condition: 'on-failure', MaxAttempts: 2 },
        Resources: { Limits: { MemoryBytes: 96 * 1024 * 1024, NanoCPUs: 250_000_000 } },
      },
      Mode: { Replicated: { Replicas: 1 } },
    });
    const task = await waitFor('the guard task to run', async () => {
      const [latest] = await listTasks(guard);
      if (latest?.state === 'failed' || latest?.state === 'rejected') throw new Error(`task ${latest.state}: ${latest.error}`);
      return latest?.state === 'running' && latest.containerId ? latest : undefined;
    });
    await waitFor('the guard container to be healthy', async () => (await containerHealth(task.containerId!)) === 'healthy');

    await createTestService(target, { labels: { 'alertscale.enabled': 'true', 'alertscale.max': '3' } });
    const throughGuard = createDockerClient(`tcp://127.0.0.1:${port}`);
    const info = await throughGuard.getService(target).inspect();
    info.Spec.Mode.Replicated.Replicas = 2;
    await throughGuard.getService(info.ID).update({ _query: { version: info.Version.Index }, _body: info.Spec });
    expect((await inspectService(target)).replicas).toBe(2);

    const created = await fetch(`http://127.0.0.1:${port}/v1.41/services/create`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ Name: `${guard}-created` }),
    });
    expect(created.status).toBe(403);
    expect(await created.json()).toMatchObject({ rule: 'endpoint' });
    await expect(docker.getService(`${guard}-created`).inspect()).rejects.toMatchObject({ statusCode: 404 });
  });
});
