import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import fs from 'node:fs';
import {
  assertSwarmManager,
  containerHealth,
  desiredReplicas,
  docker,
  nodeHttpCheck,
  waitForRunningTask,
  removeService,
  SECOND_NS,
  uniqueName,
  inspectService,
  listTasks,
} from '../../harness/docker';
import { buildLocalImage, DEFAULT_LOCAL_TAG } from '../../harness/images/buildLocalImage';
import { DOCKER_CLI } from '../../harness/images/importImage';
import { findFreePort, waitFor } from '../../harness/polling';
import { fixtureFor } from '../../harness/notifications';
import { createTestService } from '../../harness/swarmServices';

jest.setTimeout(120_000);

const execFileAsync = promisify(execFile);

const DOCKER_SOCKET = '/var/run/docker.sock';

/**
 * alertscale itself as a Swarm service, from the locally assembled image: non-root
 * (uid 1000) with the socket's group added, host network, health-checked with
 * `node -e`; a webhook scales another Swarm service.
 */
describe('alertscale as a Swarm service', () => {
  const receiver = uniqueName('alertscale-test-receiver');
  const target = uniqueName('alertscale-test-target');
  const token = randomBytes(16).toString('hex');
  let port = 0;

  beforeAll(async () => {
    await assertSwarmManager();
    await buildLocalImage({ tag: DEFAULT_LOCAL_TAG, roots: ['src', 'demo'] });
    port = await findFreePort();
  });

  afterAll(async () => {
    const results = await Promise.allSettled([removeService(receiver), removeService(target)]);
    const failed = results.find((result) => result.status === 'rejected');
    if (failed) throw failed.reason;
  });

  it('when deployed as a non-root service with the Docker socket group, then its task becomes healthy', async () => {
    const socketGroup = String(fs.statSync(DOCKER_SOCKET).gid);
    await docker.createService({
      Name: receiver,
      Labels: { 'alertscale.test': 'true' },
      TaskTemplate: {
        ContainerSpec: {
          Image: DEFAULT_LOCAL_TAG,
          Env: [`PORT=${port}`, `WEBHOOK_TOKEN=${token}`, 'LOG_LEVEL=info'],
          User: '1000:1000',
          Groups: [socketGroup],
          Mounts: [{ Type: 'bind', Source: DOCKER_SOCKET, Target: DOCKER_SOCKET }],
          StopGracePeriod: 10 * SECOND_NS,
          HealthCheck: { Test: nodeHttpCheck(port), Interval: 1 * SECOND_NS, Timeout: 2 * SECOND_NS, Retries: 3 },
        },
        Networks: [{ Target: 'host' }],
        RestartPolicy: { Condition: 'on-failure', MaxAttempts: 2 },
        Resources: { Limits: { MemoryBytes: 256 * 1024 * 1024, NanoCPUs: 1_000_000_000 } },
      },
      Mode: { Replicated: { Replicas: 1 } },
    });

    const task = await waitForRunningTask(receiver);
    await waitFor('the alertscale container to be healthy', async () => (await containerHealth(task.containerId)) === 'healthy');
    const inspected = await docker.getContainer(task.containerId).inspect();
    expect(inspected.Config.User).toBe('1000:1000');
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
    expect(ready.status).toBe(200);
  });

  it('when Alertmanager posts a firing up alert for an opted-in service, then that service goes from 1 to 2 replicas', async () => {
    await createTestService(target, {
      labels: { 'alertscale.enabled': 'true', 'alertscale.max': '3', 'alertscale.cooldown.up': '0s' },
    });
    expect(await desiredReplicas(target)).toBe(1);

    const response = await fetch(`http://127.0.0.1:${port}/webhook`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
      body: JSON.stringify(fixtureFor('firing-one-alert', target)),
    });
    expect(response.status).toBeLessThan(300);

    await waitFor('the target to ask for 2 replicas', async () => (await desiredReplicas(target)) === 2, 20_000);
    const after = await inspectService(target);
    expect(after.labels['alertscale.state.action']).toBe('up');
    expect(after.labels['alertscale.state.from']).toBe('1');
  });

  it("when the README's docker exec recipe runs against the task, then it answers the service API from inside (the shipped stack publishes no port)", async () => {
    const readme = fs.readFileSync(`${__dirname}/../../README.md`, 'utf8');
    const recipe = /node -e "(fetch\('http:\/\/127\.0\.0\.1:8080\/api\/v1\/services\/shop_api'\)[^"]+)"/.exec(readme);
    expect(recipe).not.toBeNull();
    const script = (recipe?.[1] ?? '').replace(':8080/', `:${port}/`).replace('/shop_api', `/${target}`);
    const [task] = await listTasks(receiver);
    const { stdout } = await execFileAsync(DOCKER_CLI, ['exec', task?.containerId ?? '', 'node', '-e', script]);
    expect(JSON.parse(stdout)).toMatchObject({ name: target, replicas: 2 });
  });

  it('when the webhook has no token, then it is refused and nothing scales', async () => {
    const response = await fetch(`http://127.0.0.1:${port}/webhook`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(fixtureFor('firing-one-alert', target)),
    });
    expect(response.status).toBe(401);
    expect(await desiredReplicas(target)).toBe(2);
  });
});
