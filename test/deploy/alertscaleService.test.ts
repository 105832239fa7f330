import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import fs from 'node:fs';
import { createDockerClient } from '../../src/adapters/docker/createDockerClient';
import { assertSwarmManager, desiredReplicas, docker, removeService, uniqueName, inspectService, listTasks } from '../../harness/docker';
import { buildLocalImage, DEFAULT_LOCAL_TAG } from '../../harness/images/buildLocalImage';
import { DOCKER_CLI } from '../../harness/images/importImage';
import { findFreePort, waitFor } from '../../harness/polling';
import { fixtureFor } from '../../harness/notifications';
import { createTestService, deployHealthyHostService } from '../../harness/swarmServices';

jest.setTimeout(120_000);

const execFileAsync = promisify(execFile);

const DOCKER_SOCKET = '/var/run/docker.sock';

// alertscale's image, assembled locally (no registry here) once for both services below.
beforeAll(async () => {
  await assertSwarmManager();
  await buildLocalImage({ tag: DEFAULT_LOCAL_TAG, roots: ['src', 'demo'] });
});

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
    port = await findFreePort();
  });

  afterAll(async () => {
    const results = await Promise.allSettled([removeService(receiver), removeService(target)]);
    const failed = results.find((result) => result.status === 'rejected');
    if (failed) throw failed.reason;
  });

  it('when deployed as a non-root service with the Docker socket group, then its task becomes healthy', async () => {
    const socketGroup = String(fs.statSync(DOCKER_SOCKET).gid);
    const containerId = await deployHealthyHostService(receiver, {
      image: DEFAULT_LOCAL_TAG,
      env: [`PORT=${port}`, `WEBHOOK_TOKEN=${token}`, 'LOG_LEVEL=info'],
      user: '1000:1000',
      groups: [socketGroup],
      mounts: [{ Type: 'bind', Source: DOCKER_SOCKET, Target: DOCKER_SOCKET }],
      health: { port },
      limits: { memoryMb: 256, cpus: 1 },
      stopGraceSeconds: 10,
    });
    const inspected = await docker.getContainer(containerId).inspect();
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
    port = await findFreePort();
  });

  afterAll(async () => {
    await Promise.allSettled([removeService(guard), removeService(target)]);
  });

  it('when deployed like stack.yml, then it becomes healthy, forwards a scale and refuses a create', async () => {
    const socketGroup = String(fs.statSync(DOCKER_SOCKET).gid);
    await deployHealthyHostService(guard, {
      image: DEFAULT_LOCAL_TAG,
      command: ['node', 'dist/src/guard/main.js'],
      env: ['GUARD_MODE=scale', `GUARD_LISTEN=tcp://127.0.0.1:${port}`, 'LOG_LEVEL=info'],
      user: `1000:${socketGroup}`,
      mounts: [{ Type: 'bind', Source: DOCKER_SOCKET, Target: DOCKER_SOCKET, ReadOnly: true }],
      health: { port, path: '/_ping' },
      limits: { memoryMb: 96, cpus: 0.25 },
      stopGraceSeconds: 5,
    });

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
