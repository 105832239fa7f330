import { createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { buildDockerfile } from '../../harness/images/buildDockerfile';
import { buildLocalNodeBase, imageExists, LOCAL_NODE_BASE } from '../../harness/images/buildLocalNodeBase';
import { DOCKER_CLI } from '../../harness/images/importImage';
import { REPO_ROOT } from '../../harness/repoRoot';

const run = promisify(execFile);

/** The system CA bundle: on a machine behind a TLS-intercepting proxy it holds the CA npm needs. */
const CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';

/** Recipe name (deploy/standins/<name>) -> image tag. */
export type StandinImages = Record<string, string>;

/**
 * scripts/build-standin-images.sh: builds the stand-ins whose recipe changed
 * (minutes the first time on a machine, a second when all are cached).
 */
export async function buildStandinImages(timeoutMs = 900_000): Promise<StandinImages> {
  const script = path.join(REPO_ROOT, 'scripts/build-standin-images.sh');
  try {
    const { stdout } = await run('bash', [script], { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024, env: { ...process.env, DOCKER_CLI } });
    return Object.fromEntries(
      stdout
        .trim()
        .split('\n')
        .map((line) => line.split('=') as [string, string]),
    );
  } catch (err) {
    const stderr = String((err as { stderr?: string }).stderr ?? err);
    throw new Error(`${script} failed:\n${stderr.split('\n').slice(-30).join('\n')}`, { cause: err });
  }
}

/** Inputs of `docker build .` (what the Dockerfile COPYs), for the cache tag. */
const DOCKERFILE_INPUTS = ['Dockerfile', 'package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'src', 'demo'];

function hashDockerfileInputs(baseImageId: string): string {
  const hash = createHash('sha256').update(`${baseImageId}\n`);
  const add = (relative: string): void => {
    const full = path.join(REPO_ROOT, relative);
    if (fs.statSync(full).isDirectory()) {
      for (const entry of fs.readdirSync(full).sort()) add(path.join(relative, entry));
    } else {
      hash.update(`${relative}\n`).update(fs.readFileSync(full));
    }
  };
  DOCKERFILE_INPUTS.forEach(add);
  return hash.digest('hex').slice(0, 16);
}

/**
 * alertscale's image from ./Dockerfile as shipped, on the local stand-in for
 * node:20-bookworm-slim (buildLocalNodeBase), tagged by the hash of the
 * build's inputs: an unchanged tree reuses the image.
 */
export async function buildAppImage(): Promise<string> {
  if (!imageExists(LOCAL_NODE_BASE)) await buildLocalNodeBase();
  const baseId = (await run(DOCKER_CLI, ['image', 'inspect', LOCAL_NODE_BASE, '--format', '{{.Id}}'])).stdout.trim();
  const tag = `alertscale-local/app:${hashDockerfileInputs(baseId)}`;
  if (imageExists(tag)) return tag;
  await buildDockerfile({
    contextDir: REPO_ROOT,
    tag,
    buildArgs: { NODE_IMAGE: LOCAL_NODE_BASE },
    secrets: fs.existsSync(CA_BUNDLE) ? { ca: CA_BUNDLE } : {},
    timeoutMs: 600_000,
  });
  return tag;
}
