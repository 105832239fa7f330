import { execFile } from 'node:child_process';
import fs from 'node:fs';
import { promisify } from 'node:util';
import { assertSwarmManager, uniqueName } from '../../harness/docker';
import { DOCKER_CLI } from '../../harness/images/importImage';
import { findFreePort, waitFor } from '../../harness/polling';
import { buildAppImage } from '../support/buildStackImages';

const run = promisify(execFile);
// npm ci of every dev dependency inside the build takes a minute or more on a busy 2-core machine.
jest.setTimeout(300_000);

const DOCKER_SOCKET = '/var/run/docker.sock';

const inspectImage = async (tag: string, format: string): Promise<string> => (await run(DOCKER_CLI, ['image', 'inspect', tag, '--format', format])).stdout.trim();

/**
 * Builds the real Dockerfile. `node:20-bookworm-slim` cannot be pulled here, so
 * NODE_IMAGE points at a local stand-in (this machine's node 20 + npm + busybox,
 * see buildLocalNodeBase); everything else is the Dockerfile as shipped,
 * including `npm ci` against the npm registry with the CA bundle as a build secret.
 * The image is tagged by the hash of the build's inputs and shared with the
 * stack deployment test: an unchanged tree is built once per machine.
 */
describe('Dockerfile', () => {
  let tag = '';
  const container = uniqueName('alertscale-test-image');

  beforeAll(async () => {
    await assertSwarmManager();
  });

  afterAll(async () => {
    await run(DOCKER_CLI, ['rm', '-f', container]).catch(() => undefined);
  });

  it('when built with BuildKit and the CA secret, then the image runs as the node user, has a HEALTHCHECK, and holds no dev dependencies', async () => {
    tag = await buildAppImage();
    expect(await inspectImage(tag, '{{.Config.User}}')).toBe('node');
    expect(await inspectImage(tag, '{{json .Config.Cmd}}')).toBe('["node","dist/src/main.js"]');
    expect(await inspectImage(tag, '{{json .Config.Healthcheck.Test}}')).toContain('/healthz');

    const { stdout } = await run(DOCKER_CLI, [
      'run',
      '--rm',
      '--network',
      'none',
      '--entrypoint',
      'node',
      tag,
      '-e',
      "const fs=require('fs');console.log(JSON.stringify({uid:process.getuid(),jest:fs.existsSync('node_modules/jest'),ts:fs.existsSync('node_modules/typescript'),express:fs.existsSync('node_modules/express'),worker:fs.existsSync('dist/demo/worker.js'),main:fs.existsSync('dist/src/main.js'),secret:fs.existsSync('/run/secrets/ca'),writable:(()=>{try{fs.writeFileSync('dist/x','');return true}catch{return false}})()}))",
    ]);
    expect(JSON.parse(stdout)).toEqual({ uid: 1000, jest: false, ts: false, express: true, worker: true, main: true, secret: false, writable: false });
  });

  it('when the image runs alertscale with the socket group added, then Docker reports it healthy', async () => {
    const port = await findFreePort();
    const group = String(fs.statSync(DOCKER_SOCKET).gid);
    await run(DOCKER_CLI, [
      'run',
      '-d',
      '--name',
      container,
      '--network',
      'host',
      '--group-add',
      group,
      '-v',
      `${DOCKER_SOCKET}:${DOCKER_SOCKET}`,
      '-e',
      `PORT=${port}`,
      '-e',
      'WEBHOOK_TOKEN=image-test-token',
      '--health-interval',
      '1s',
      '--health-start-period',
      '1s',
      tag,
    ]);
    await waitFor(
      'the container to be healthy',
      async () => {
        const { stdout } = await run(DOCKER_CLI, ['inspect', container, '--format', '{{.State.Health.Status}}']);
        if (stdout.trim() === 'unhealthy') throw new Error('unhealthy');
        return stdout.trim() === 'healthy';
      },
      30_000,
      500,
    );
    expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
  });

  it('when the image runs the demo worker with a bad setting, then it exits 1 naming the variable', async () => {
    const result = await run(DOCKER_CLI, ['run', '--rm', '--network', 'none', '-e', 'WORKER_PREFETCH=0', tag, 'node', 'dist/demo/worker.js']).then(
      () => ({ code: 0, stderr: '' }),
      (err: { code?: number; stderr?: string }) => ({ code: err.code, stderr: err.stderr ?? '' }),
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('WORKER_PREFETCH');
  });
});
