/**
 * `npm run image:build` and `npm run image:base`.
 *
 *   image:build   builds ./Dockerfile with whichever docker CLI can use BuildKit here
 *                 (the Dockerfile needs it for RUN --mount): `docker buildx build` when
 *                 the buildx plugin is installed, else a CLI older than 23 with
 *                 DOCKER_BUILDKIT=1. IMAGE_TAG (default alertscale:latest), NODE_IMAGE
 *                 (the base, default node:20-bookworm-slim) and CA_BUNDLE (a CA file
 *                 handed to npm as a build secret; default the system bundle) tune it.
 *   image:base    builds a stand-in for node:20-bookworm-slim from this machine's own
 *                 node, npm and busybox-static (no registry needed), for air-gapped
 *                 builders: then `NODE_IMAGE=alertscale-local/node:20 npm run image:build`.
 */
import fs from 'node:fs';
import { buildDockerfile, findBuildKitCli } from '../harness/images/buildDockerfile';
import { buildLocalNodeBase, LOCAL_NODE_BASE } from '../harness/images/buildLocalNodeBase';
import { REPO_ROOT } from '../harness/repoRoot';

const SYSTEM_CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';

async function buildImage(): Promise<void> {
  const tag = process.env.IMAGE_TAG ?? 'alertscale:latest';
  const ca = process.env.CA_BUNDLE ?? (fs.existsSync(SYSTEM_CA_BUNDLE) ? SYSTEM_CA_BUNDLE : undefined);
  const cli = findBuildKitCli();
  process.stdout.write(`building ${tag} with ${[cli.command, ...cli.args].join(' ')}${cli.env.DOCKER_BUILDKIT ? ' (DOCKER_BUILDKIT=1)' : ''}\n`);
  await buildDockerfile({
    contextDir: REPO_ROOT,
    tag,
    buildArgs: process.env.NODE_IMAGE ? { NODE_IMAGE: process.env.NODE_IMAGE } : {},
    secrets: ca ? { ca } : {},
    timeoutMs: 20 * 60_000,
  });
  process.stdout.write(`built ${tag}\n`);
}

async function buildBase(): Promise<void> {
  const tag = await buildLocalNodeBase(process.env.IMAGE_TAG ?? LOCAL_NODE_BASE);
  process.stdout.write(`built ${tag} (this machine's node ${process.versions.node}, npm and busybox; not the official image)\nnext: NODE_IMAGE=${tag} npm run image:build\n`);
}

const commands: Record<string, () => Promise<void>> = { build: buildImage, base: buildBase };
const command = commands[process.argv[2] ?? ''];
if (!command) {
  process.stderr.write(`usage: node dist/scripts/image.js build|base\n`);
  process.exit(2);
}
command().catch((error: Error) => {
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
});
