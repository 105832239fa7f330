import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { imageExists, LOCAL_NODE_BASE } from '../../harness/images/buildLocalNodeBase';
import { DOCKER_CLI } from '../../harness/images/importImage';
import { uniqueName } from '../../harness/docker';
import { REPO_ROOT } from '../../harness/repoRoot';

const run = promisify(execFile);
jest.setTimeout(300_000);

const IMAGE_SCRIPT = join(REPO_ROOT, 'dist', 'scripts', 'image.js');

/**
 * What `npm run image:build` / `image:base` run (after `npm run build`), with the
 * machine's own PATH: here `docker` is a 28.x CLI without buildx, which cannot
 * build the Dockerfile by itself; the script must find a CLI that can.
 */
describe('npm run image:build and image:base', () => {
  const tag = `alertscale-local/app:${uniqueName('image-script')}`;

  beforeAll(async () => {
    if (!imageExists(LOCAL_NODE_BASE)) await run(process.execPath, [IMAGE_SCRIPT, 'base'], { env: process.env });
  });
  afterAll(() => run(DOCKER_CLI, ['rmi', tag]).catch(() => undefined));

  test('when image:base has made the local base, then image:build builds the Dockerfile on it with a CLI that has BuildKit', async () => {
    expect(imageExists(LOCAL_NODE_BASE)).toBe(true);
    const { stdout } = await run(process.execPath, [IMAGE_SCRIPT, 'build'], {
      env: { ...process.env, IMAGE_TAG: tag, NODE_IMAGE: LOCAL_NODE_BASE },
      maxBuffer: 16 * 1024 * 1024,
    });
    expect(stdout).toMatch(new RegExp(`building ${tag} with (\\S+ buildx build --load|\\S+ build \\(DOCKER_BUILDKIT=1\\))`));
    expect(imageExists(tag)).toBe(true);
  });

  test('when asked for something else, then it prints the usage and exits 2', async () => {
    await expect(run(process.execPath, [IMAGE_SCRIPT, 'push'])).rejects.toMatchObject({ code: 2, stderr: expect.stringMatching(/usage: .* build\|base/) });
  });
});
