import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../repoRoot';
import { compileProject } from './compileProject';
import { copyProductionModules } from './copyProductionModules';
import { DOCKER_CLI, importImage } from './importImage';
import { stageNodeRuntime } from './stageNodeRuntime';

export const DEFAULT_LOCAL_TAG = 'alertscale-local:test';
const INPUTS_LABEL = 'alertscale.local.inputs';

export interface LocalImageOptions {
  /** Image tag; default `alertscale-local:test`. Use one tag per set of roots. */
  tag?: string;
  /** Top-level TypeScript folders to compile into /app/dist; default ['src', 'demo']. */
  roots?: string[];
}

export interface LocalImage {
  tag: string;
  id: string;
  /** False when an image with identical inputs already existed. */
  built: boolean;
}

/**
 * Assembles an image without a registry or a base image, for tests on a Swarm
 * that cannot pull: `docker import` of a tarball holding this machine's node
 * runtime (binary plus the shared libraries ldd lists), the project compiled
 * from `roots` into /app/dist (same layout as `npm run build`), the production
 * node_modules, and package.json. Runs as `node` (1000:1000), WORKDIR /app,
 * CMD `node dist/src/main.js`. There is no shell and no HEALTHCHECK in it (import
 * cannot set one): services set theirs with `node -e`.
 *
 * The image is labelled with a hash of everything that went in, so a second
 * call with unchanged inputs reuses it; a rebuild removes the image it replaces.
 * The tags are kept between runs as a cache (about 130 MB each).
 */
export async function buildLocalImage(options: LocalImageOptions = {}): Promise<LocalImage> {
  const tag = options.tag ?? DEFAULT_LOCAL_TAG;
  const roots = options.roots ?? ['src', 'demo'];
  const stageDir = fs.mkdtempSync(path.join(os.tmpdir(), 'alertscale-image-'));
  try {
    const appDir = path.join(stageDir, 'app');
    compileProject(REPO_ROOT, roots, path.join(appDir, 'dist'));
    copyProductionModules(REPO_ROOT, appDir);
    fs.copyFileSync(path.join(REPO_ROOT, 'package.json'), path.join(appDir, 'package.json'));
    const runtime = stageNodeRuntime(stageDir);
    if (process.getuid?.() === 0) fs.chownSync(path.join(stageDir, 'home/node'), 1000, 1000);

    const inputs = hashInputs(appDir, runtime.node);
    const existing = inspectLabel(tag);
    if (existing.inputs === inputs && existing.id) return { tag, id: existing.id, built: false };

    const id = await importImage(stageDir, tag, [
      'ENV PATH=/usr/local/bin:/usr/bin:/bin',
      'ENV NODE_ENV=production',
      'WORKDIR /app',
      'USER 1000:1000',
      'CMD ["node", "dist/src/main.js"]',
      `LABEL ${INPUTS_LABEL}=${inputs}`,
    ]);
    if (existing.id && existing.id !== id) removeImageQuietly(existing.id);
    return { tag, id, built: true };
  } finally {
    fs.rmSync(stageDir, { recursive: true, force: true });
  }
}

/** Drops the image a rebuild untagged (ignored while a container still uses it). */
function removeImageQuietly(id: string): void {
  try {
    execFileSync(DOCKER_CLI, ['rmi', id], { stdio: 'ignore' });
  } catch {
    // still in use: docker keeps it, `docker image prune` removes it later
  }
}

function inspectLabel(tag: string): { id?: string; inputs?: string } {
  try {
    const out = execFileSync(DOCKER_CLI, ['image', 'inspect', tag, '--format', `{{.Id}} {{index .Config.Labels "${INPUTS_LABEL}"}}`], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    const [id, inputs] = out.split(' ');
    return { ...(id ? { id } : {}), ...(inputs ? { inputs } : {}) };
  } catch {
    return {};
  }
}

/** sha256 over every staged app file (path and content) and the node binary's identity. */
function hashInputs(appDir: string, node: string): string {
  const hash = createHash('sha256');
  const stat = fs.statSync(node);
  hash.update(`${node}:${stat.size}:${stat.mtimeMs}\n`);
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile()) hash.update(`${path.relative(appDir, full)}\n`).update(fs.readFileSync(full));
      else if (entry.isSymbolicLink()) hash.update(`${path.relative(appDir, full)} -> ${fs.readlinkSync(full)}\n`);
    }
  };
  walk(appDir);
  return hash.digest('hex').slice(0, 32);
}
