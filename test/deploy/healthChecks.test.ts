import { readFileSync } from 'node:fs';
import { nodeHttpCheck } from '../../harness/docker';
import { repoPath } from '../../harness/repoRoot';
import { readStackFile } from '../../harness/stackFile';

/**
 * The `node -e` health check is written out in the Dockerfile and stack.yml
 * (no code runs there); harness/docker.ts's nodeHttpCheck is its one source,
 * and the tests' own services use it. These rows keep the shipped copies equal to it.
 */
describe('the node -e health check', () => {
  it('when the Dockerfile declares its HEALTHCHECK, then it is nodeHttpCheck on $PORT (8080 by default)', () => {
    const dockerfile = readFileSync(repoPath('Dockerfile'), 'utf8');
    const command = /^HEALTHCHECK [^\n]*\\\n\s+CMD (\[.*\])$/m.exec(dockerfile)?.[1];
    expect(command).toBeDefined();
    expect(['CMD', ...(JSON.parse(command ?? '[]') as string[])]).toEqual(nodeHttpCheck('process.env.PORT||8080', '/healthz', 2500));
  });

  it.each([
    // alertscale listens on 8080
    ['alertscale', 8080],
    // the demo producer and worker serve /healthz next to their metrics
    ['producer', 9400],
    ['worker', 9400],
  ])('when stack.yml deploys %s, then its health check is nodeHttpCheck on port %d', (service, port) => {
    expect(readStackFile().services[service]?.healthcheck?.test).toEqual(nodeHttpCheck(port, '/healthz', 2500));
  });
});
